// GET /v1/jobs?ids=1,2,3[&wait=S] (issue 22): the states and results of many jobs in one
// answer, optionally once all of them are terminal. Jobs the caller may not read are left
// out, as are ids that name no job: a client learns nothing about them either way.
#include "dispatch/event_service.hpp"
#include "http/json_views.hpp"
#include "http/routes/fire_parsing.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

namespace {

constexpr std::size_t kMaxIds = 1000;

ApiReply invalidIds(const std::string& message) {
  return errorReply(ErrorKind::BadRequest, "invalid_ids", "ids: " + message);
}

// Every `ids` value, each a comma-separated list of job ids.
std::optional<std::vector<std::int64_t>> parseIds(const std::vector<std::string>& values) {
  std::vector<std::int64_t> ids;
  for (const auto& value : values) {
    std::size_t from = 0;
    while (from <= value.size()) {
      std::size_t comma = value.find(',', from);
      if (comma == std::string::npos) comma = value.size();
      auto id = parseId(value.substr(from, comma - from));
      if (!id) return std::nullopt;
      ids.push_back(*id);
      if (ids.size() > kMaxIds) return ids;  // the caller refuses the size; stop reading
      from = comma + 1;
    }
  }
  return ids;
}

storage::JobReader readerOf(const storage::User& user) {
  return {user.role == storage::Role::Admin, user.id, user.name};
}

}  // namespace

ApiReply listJobsByIds(const ApiRequest& request, Services& services) {
  for (const char* other : {"state", "handler_id", "event_id", "after", "limit"}) {
    if (request.queryValue(other)) return invalidIds(std::string("selects the jobs itself; leave out ") + other);
  }
  auto ids = parseIds(request.queryValues("ids"));
  if (!ids || ids->empty()) return invalidIds("must be a comma-separated list of job ids, e.g. ids=1,2,3");
  if (ids->size() > kMaxIds) return invalidIds("at most " + std::to_string(kMaxIds) + " per request");
  std::optional<double> wait;
  if (auto text = request.queryValue("wait")) {
    wait = parseWait(*text);
    if (!wait) return errorReply(ErrorKind::BadRequest, "invalid_wait", "wait: must be a number of seconds >= 0");
  }
  const storage::JobReader reader = readerOf(request.caller());
  std::vector<storage::Job> jobs;
  if (wait && services.events) {
    jobs = services.events->waitForJobs(*ids, reader, std::chrono::milliseconds(static_cast<long>(*wait * 1000)));
  } else {
    jobs = services.jobs.jobsByIds(*ids, reader);
  }
  nlohmann::json list = nlohmann::json::array();
  bool done = true;
  for (const auto& job : jobs) {
    list.push_back(jobToJson(job, WithHistory::No));
    done = done && storage::isTerminal(job.state);
  }
  return jsonReply(200, {{"jobs", std::move(list)}, {"next", nullptr}, {"done", done}});
}

}  // namespace hookhost::http
