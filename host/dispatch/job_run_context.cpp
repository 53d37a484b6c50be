#include "dispatch/job_run_context.hpp"

#include "auth/secrets.hpp"

namespace hookhost::dispatch {

JobRunContext::JobRunContext(storage::JobStore& store, const EventService& events, const storage::ClaimedJob& job,
                             std::shared_ptr<jobs::LiveOutput> output)
    : store_(store), events_(events), job_(job), output_(std::move(output)) {}

void JobRunContext::update(const nlohmann::json& data) { store_.appendUpdate(job_.jobId, job_.attempt, data); }

void JobRunContext::log(const std::string& line) {
  // A line that ends in a newline (a plugin's log text) is one line, not two.
  output_->append(!line.empty() && line.back() == '\n' ? line.substr(0, line.size() - 1) : line);
}

// Output lines are kept as the handler wrote them, as the job's stored output always was.
void JobRunContext::output(const std::string&, const std::string& line) { output_->append(line); }

Status JobRunContext::emit(const EmittedEvent& event) {
  storage::NewEvent next;
  next.hook = event.hook;
  next.payload = event.payload;
  next.tags = event.tags;
  next.key = event.key;
  next.parentJobId = job_.jobId;
  next.rootEventId = job_.rootEventId;
  next.depth = job_.eventDepth + 1;
  // An emitted event acts with the identity of the handler's owner, like the handler.
  next.createdBy = job_.ownerName;
  if (auto valid = events_.validate(next); !valid) return valid.error();
  std::lock_guard lock(mutex_);
  emitted_.push_back(std::move(next));
  return Ok{};
}

Result<DeferTicket> JobRunContext::defer(const nlohmann::json&) {
  std::string token = auth::randomHex(32);
  std::lock_guard lock(mutex_);
  tokenHash_ = auth::sha256Hex(token);
  return DeferTicket{token, "/v1/jobs/" + std::to_string(job_.jobId) + "/callback"};
}

std::vector<storage::NewEvent> JobRunContext::takeEmitted() {
  std::lock_guard lock(mutex_);
  return std::move(emitted_);
}

std::optional<std::string> JobRunContext::deferTokenHash() const {
  std::lock_guard lock(mutex_);
  return tokenHash_;
}

std::string JobRunContext::output() const { return output_->text(); }

}  // namespace hookhost::dispatch
