#include "auth/secrets.hpp"
#include "dispatch/event_service.hpp"
#include "http/json_views.hpp"
#include "http/routes/repair_request.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

namespace {

constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 1000;

std::optional<ApiReply> badQuery(const std::string& name, const std::string& message) {
  return errorReply(ErrorKind::BadRequest, "invalid_" + name, name + ": " + message);
}

// Every state, spelled from the lifecycle's one list (PENDING included since coalescing).
std::string jobStateList() {
  std::string list;
  for (jobs::JobState state : jobs::kAllJobStates) list += (list.empty() ? "" : ", ") + std::string(jobs::jobStateName(state));
  return list;
}

// since/until bound the jobs' created_at (RFC 3339), as the console's time filter asks.
std::optional<ApiReply> readCreatedRange(const ApiRequest& request, storage::JobQuery& query) {
  for (auto [name, target] : {std::pair{"since", &query.createdSince}, std::pair{"until", &query.createdUntil}}) {
    if (auto text = request.queryValue(name)) {
      *target = parseRfc3339(*text);
      if (!*target) return badQuery(name, "must be an RFC 3339 time such as 2026-12-01T23:00:00Z");
    }
  }
  return std::nullopt;
}

std::optional<ApiReply> readJobQuery(const ApiRequest& request, const registry::HookCatalog& catalog,
                                     storage::JobQuery& query) {
  if (auto hook = request.queryValue("hook")) {
    if (!catalog.contains(*hook)) {
      return errorReply(unknownHook(*hook));
    }
    query.hook = *hook;
  }
  if (auto invalid = readCreatedRange(request, query)) return invalid;
  if (auto state = request.queryValue("state")) {
    query.state = storage::parseJobState(*state);
    if (!query.state) return badQuery("state", "must be one of " + jobStateList());
  }
  for (auto [name, target] : {std::pair{"handler_id", &query.handlerId}, std::pair{"event_id", &query.eventId}}) {
    if (auto text = request.queryValue(name)) {
      *target = parseId(*text);
      if (!*target) return badQuery(name, "must be a positive integer");
    }
  }
  if (auto text = request.queryValue("after")) {
    auto after = parseId(*text);
    if (!after && *text != "0") return badQuery("after", "must be the 'next' cursor of a previous page");
    query.after = after.value_or(0);
  }
  query.limit = kDefaultPage;
  if (auto text = request.queryValue("limit")) {
    auto limit = parseId(*text);
    if (!limit || *limit > kMaxPage) return badQuery("limit", "must be between 1 and " + std::to_string(kMaxPage));
    query.limit = static_cast<int>(*limit);
  }
  return std::nullopt;
}

// The body's event as the trigger it is for the job's table.
std::optional<jobs::Trigger> parseCallbackEvent(const std::string& text) {
  if (text == "update") return jobs::Trigger::CallbackUpdate;
  if (text == "finish") return jobs::Trigger::CallbackFinish;
  if (text == "fail") return jobs::Trigger::CallbackFail;
  return std::nullopt;
}

}  // namespace

ApiReply listJobs(const ApiRequest& request, Services& services) {
  if (request.queryValue("ids")) return listJobsByIds(request, services);
  storage::JobQuery query;
  if (auto invalid = readJobQuery(request, services.catalog, query)) return *invalid;
  query.ownerId = listingOwner(request.caller());
  int pageSize = query.limit;
  query.limit = pageSize + 1;  // one more tells whether there is a next page
  auto jobs = services.jobs.listJobs(query);
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < static_cast<int>(jobs.size()) && i < pageSize; ++i) {
    list.push_back(jobToJson(jobs[static_cast<std::size_t>(i)], WithHistory::No));
  }
  nlohmann::json next = nullptr;
  if (static_cast<int>(jobs.size()) > pageSize) next = std::to_string(jobs[static_cast<std::size_t>(pageSize - 1)].id);
  return jsonReply(200, {{"jobs", list}, {"next", next}});
}

ApiReply getJob(const ApiRequest& request, Services& services) {
  auto job = visibleJob(request, services.jobs);
  if (!job) return errorReply(job.error());
  return jsonReply(200, jobToJson(*job, WithHistory::Yes));
}

ApiReply cancelJob(const ApiRequest& request, Services& services) {
  auto job = visibleJob(request, services.jobs);
  if (!job) return errorReply(job.error());
  auto cancelled = services.lifecycle.cancel(job->id);
  if (!cancelled) return errorReply(cancelled.error());
  auto after = services.jobs.getJob(job->id);
  return jsonReply(200, jobToJson(*after, WithHistory::No));
}

ApiReply jobCallback(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  if (!id) return notFound("job", idText);
  const auto& body = request.body;
  if (!body.is_object()) return errorReply(ErrorKind::BadRequest, "missing_body", "the request needs a JSON object body");
  auto token = body.find("token");
  if (token == body.end() || !token->is_string() || token->get<std::string>().empty()) {
    return errorReply(ErrorKind::Unprocessable, "invalid_token", "token: the job's callback token is required");
  }
  auto eventName = body.find("event");
  auto event = eventName != body.end() && eventName->is_string() ? parseCallbackEvent(eventName->get<std::string>())
                                                                 : std::nullopt;
  if (!event) return errorReply(ErrorKind::Unprocessable, "invalid_event", "event: must be update, finish or fail");
  nlohmann::json data = body.contains("data") ? body["data"] : nlohmann::json::object();
  auto applied = services.lifecycle.callback(*id, auth::sha256Hex(token->get<std::string>()), *event, data);
  if (!applied) return errorReply(applied.error());
  auto job = services.jobs.getJob(*id);
  return jsonReply(200, jobToJson(*job, WithHistory::No));
}

}  // namespace hookhost::http
