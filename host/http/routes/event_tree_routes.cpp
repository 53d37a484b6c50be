// GET /v1/events/{id}/tree (DESIGN "Chains"): the event, its jobs and, under each job, the
// events it emitted, recursively, with the state of the whole chain.
#include <algorithm>
#include <map>
#include <set>

#include "common/clock.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

using storage::Role;

namespace {

// Bounds the answer: a chain is at most dispatch.max_chain_depth deep, but may be wide.
constexpr std::size_t kMaxTreeEvents = 5'000;

class TreeBuilder {
 public:
  TreeBuilder(const storage::ChainRecords& chain, const storage::User& viewer) : viewer_(viewer) {
    for (const auto& event : chain.events) {
      events_[event.id] = &event;
      if (event.parentJobId) emittedBy_[*event.parentJobId].push_back(event.id);
    }
    for (const auto& job : chain.jobs) {
      jobs_[job.id] = &job;
      jobsOf_[job.eventId].push_back(job.id);
    }
    for (const auto& [jobId, eventId] : chain.gathered) {
      auto& list = jobsOf_[eventId];
      if (std::find(list.begin(), list.end(), jobId) == list.end()) list.push_back(jobId);
    }
  }

  nlohmann::json tree(std::int64_t eventId) { return eventNode(*events_.at(eventId)); }
  /// RUNNING while any job shown is not terminal, FAILED when one failed or timed out.
  const char* state() const { return open_ ? "RUNNING" : failed_ ? "FAILED" : "SUCCEEDED"; }

 private:
  nlohmann::json eventNode(const storage::Event& event) {
    nlohmann::json jobs = nlohmann::json::array();
    for (auto jobId : jobsOf_[event.id]) jobs.push_back(jobNode(*jobs_.at(jobId)));
    return {{"event_id", event.id},
            {"hook", event.hook},
            {"root_event_id", event.rootEventId},
            {"parent_job_id", event.parentJobId ? nlohmann::json(*event.parentJobId) : nlohmann::json()},
            {"created_at", formatRfc3339(event.createdAt)},
            {"jobs", jobs}};
  }

  nlohmann::json jobNode(const storage::Job& job) {
    const bool firstVisit = shown_.insert(job.id).second;
    if (firstVisit) {
      open_ = open_ || !storage::isTerminal(job.state);
      failed_ = failed_ || job.state == storage::JobState::Failed || job.state == storage::JobState::TimedOut;
    }
    // Another user's job shows where the chain stands, not what it holds.
    const bool mayRead = viewer_.role == Role::Admin || job.ownerId == viewer_.id;
    nlohmann::json node = {{"job_id", job.id},
                           {"handler", job.handlerName},
                           {"handler_id", job.handlerId},
                           {"state", storage::jobStateName(job.state)},
                           {"result", mayRead && job.result ? nlohmann::json(*job.result) : nlohmann::json()},
                           {"error", mayRead && job.error ? nlohmann::json(*job.error) : nlohmann::json()},
                           {"emitted", nlohmann::json::array()}};
    // A coalesced job stands under each event it gathered; what it emitted, under the first.
    if (!firstVisit) {
      node["emitted_shown_above"] = true;
      return node;
    }
    for (auto child : emittedBy_[job.id]) node["emitted"].push_back(eventNode(*events_.at(child)));
    return node;
  }

  const storage::User& viewer_;
  std::map<std::int64_t, const storage::Event*> events_;
  std::map<std::int64_t, const storage::Job*> jobs_;
  std::map<std::int64_t, std::vector<std::int64_t>> jobsOf_;
  std::map<std::int64_t, std::vector<std::int64_t>> emittedBy_;
  std::set<std::int64_t> shown_;
  bool open_ = false;
  bool failed_ = false;
};

bool maySeeChain(const storage::User& user, const storage::Event& event, const storage::ChainRecords& chain) {
  if (user.role == Role::Admin || event.createdBy == user.name) return true;
  return std::any_of(chain.jobs.begin(), chain.jobs.end(), [&](const storage::Job& job) { return job.ownerId == user.id; });
}

}  // namespace

ApiReply getEventTree(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto event = id ? services.jobs.getEvent(*id) : std::nullopt;
  if (!event) return notFound("event", idText);
  storage::ChainRecords chain = services.jobs.readChain(event->rootEventId, kMaxTreeEvents);
  if (!maySeeChain(request.caller(), *event, chain)) {
    return errorReply(ErrorKind::Forbidden, "forbidden",
                      "event " + idText + "'s chain is neither yours nor holds jobs of your handlers");
  }
  if (std::none_of(chain.events.begin(), chain.events.end(), [&](const storage::Event& e) { return e.id == event->id; })) {
    return errorReply(ErrorKind::Unprocessable, "chain_too_large",
                      "event " + idText + "'s chain has more than " + std::to_string(kMaxTreeEvents) + " events");
  }
  TreeBuilder builder(chain, request.caller());
  nlohmann::json tree = builder.tree(event->id);
  tree["state"] = builder.state();
  if (chain.truncated) tree["truncated"] = true;
  return jsonReply(200, tree);
}

}  // namespace hookhost::http
