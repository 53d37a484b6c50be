#include "dispatch/job_run_context.hpp"

#include "auth/secrets.hpp"

namespace hookhost::dispatch {

JobRunContext::JobRunContext(storage::JobStore& store, const EventService& events, const storage::ClaimedJob& job,
                             std::size_t maxOutputBytes)
    : store_(store), events_(events), job_(job), maxOutputBytes_(maxOutputBytes) {}

void JobRunContext::update(const nlohmann::json& data) { store_.appendUpdate(job_.jobId, job_.attempt, data); }

void JobRunContext::log(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (outputTruncated_) return;
  if (output_.size() + line.size() + 1 > maxOutputBytes_) {
    output_ += "\n[output truncated at " + std::to_string(maxOutputBytes_) + " bytes]\n";
    outputTruncated_ = true;
    return;
  }
  output_ += line;
  if (line.empty() || line.back() != '\n') output_ += '\n';
}

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

std::string JobRunContext::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

}  // namespace hookhost::dispatch
