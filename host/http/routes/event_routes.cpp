#include <algorithm>

#include "dispatch/event_service.hpp"
#include "http/json_views.hpp"
#include "http/routes/fire_parsing.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

using storage::Role;

namespace {

bool maySeeEvent(const storage::User& user, const storage::Event& event, const std::vector<storage::Job>& jobs) {
  if (user.role == Role::Admin || event.createdBy == user.name) return true;
  return std::any_of(jobs.begin(), jobs.end(), [&](const storage::Job& job) { return job.ownerId == user.id; });
}

}  // namespace

ApiReply fireEvent(const ApiRequest& request, Services& services) {
  if (services.shuttingDown || !services.events) {
    return errorReply(ErrorKind::Unavailable, "shutting_down", "the host is shutting down; fire again elsewhere or later");
  }
  std::optional<double> wait;
  if (auto text = request.queryValue("wait")) {
    wait = parseWait(*text);
    if (!wait) return errorReply(ErrorKind::BadRequest, "invalid_wait", "wait: must be a number of seconds >= 0");
  }
  if (request.body.is_null()) return errorReply(ErrorKind::BadRequest, "missing_body", "the request needs a JSON body");
  if (request.body.is_array()) return fireEvents(request, services, wait);
  auto event = parseFire(request.body, request.caller().name);
  if (!event) return errorReply(event.error());
  auto fired = services.events->fire(*event);
  if (!fired) return errorReply(fired.error());

  nlohmann::json body = {{"event_id", fired->eventId}, {"jobs", nlohmann::json::array()}};
  int status = fired->duplicate ? 200 : 202;
  if (fired->duplicate) body["duplicate"] = true;
  if (!wait) {
    for (const auto& job : fired->jobs) {
      body["jobs"].push_back({{"job_id", job.jobId}, {"handler_id", job.handlerId}, {"handler", job.handler}});
    }
    return jsonReply(status, body);
  }
  auto jobs = services.events->waitForEvent(fired->eventId, std::chrono::milliseconds(static_cast<long>(*wait * 1000)));
  bool done = true;
  for (const auto& job : jobs) {
    body["jobs"].push_back(jobToJson(job, WithHistory::No));
    done = done && storage::isTerminal(job.state);
  }
  body["done"] = done;
  return jsonReply(status, body);
}

ApiReply getEvent(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto event = id ? services.jobs.getEvent(*id) : std::nullopt;
  if (!event) return notFound("event", idText);
  auto jobs = services.jobs.jobsOfEvent(event->id);
  if (!maySeeEvent(request.caller(), *event, jobs)) {
    return errorReply(ErrorKind::Forbidden, "forbidden", "event " + idText + " is neither yours nor for your handlers");
  }
  return jsonReply(200, eventToJson(*event, jobs));
}

}  // namespace hookhost::http
