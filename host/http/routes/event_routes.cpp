#include <algorithm>
#include <charconv>

#include "dispatch/event_service.hpp"
#include "http/json_views.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

using storage::Role;

namespace {

constexpr double kMaxWaitSeconds = 300;

Result<storage::NewEvent> parseFire(const nlohmann::json& body, const std::string& caller) {
  auto invalid = [](const std::string& field, const std::string& message) {
    return makeError(ErrorKind::Unprocessable, "invalid_" + field, field + ": " + message);
  };
  if (!body.is_object()) return makeError(ErrorKind::Unprocessable, "invalid_body", "the body must be a JSON object");
  storage::NewEvent event;
  event.createdBy = caller;
  auto hook = body.find("hook");
  if (hook == body.end() || !hook->is_string() || hook->get<std::string>().empty()) {
    return invalid("hook", "is required and must be a string");
  }
  event.hook = hook->get<std::string>();
  auto payload = body.find("payload");
  if (payload != body.end() && !payload->is_null()) {
    if (!payload->is_object()) return invalid("payload", "must be a JSON object (the handler's keyword arguments)");
    event.payload = *payload;
  }
  auto tags = body.find("tags");
  if (tags != body.end() && !tags->is_null()) {
    if (!tags->is_array()) return invalid("tags", "must be a list of strings");
    for (const auto& tag : *tags) {
      if (!tag.is_string() || tag.get<std::string>().empty()) return invalid("tags", "must be a list of non-empty strings");
      event.tags.push_back(tag.get<std::string>());
    }
  }
  auto key = body.find("key");
  if (key != body.end() && !key->is_null()) {
    if (!key->is_string() || key->get<std::string>().empty() || key->get<std::string>().size() > 512) {
      return invalid("key", "must be a non-empty string of at most 512 characters");
    }
    event.key = key->get<std::string>();
  }
  return event;
}

std::optional<double> parseWait(const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::min(seconds, kMaxWaitSeconds);
}

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
