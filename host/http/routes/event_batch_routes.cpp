// POST /v1/events with a JSON array (issue 22): up to kMaxBatch fires in one request, one
// transaction and one commit, all or nothing.
#include "dispatch/event_service.hpp"
#include "http/routes/fire_parsing.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

namespace {

constexpr std::size_t kMaxBatch = 1000;

// The refusal of one element: its error, with the element's index in the body and the text.
ApiReply elementRefused(const Error& error, std::size_t index) {
  ApiReply reply = errorReply(error.kind, error.code, "element " + std::to_string(index) + ": " + error.message);
  reply.body["error"]["index"] = index;
  return reply;
}

nlohmann::json firedToJson(const storage::FireResult& fired) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& job : fired.jobs) {
    jobs.push_back({{"job_id", job.jobId}, {"handler_id", job.handlerId}, {"handler", job.handler}});
  }
  nlohmann::json out = {{"event_id", fired.eventId}, {"jobs", std::move(jobs)}};
  if (fired.duplicate) out["duplicate"] = true;
  return out;
}

}  // namespace

ApiReply fireEvents(const ApiRequest& request, Services& services, std::optional<double> wait) {
  if (wait) {
    return errorReply(ErrorKind::BadRequest, "invalid_wait",
                      "wait: an array fire answers at once; wait for its jobs with GET /v1/jobs?ids=…&wait=S");
  }
  const auto& elements = request.body;
  if (elements.empty()) {
    return errorReply(ErrorKind::BadRequest, "empty_batch", "the array holds no fire objects");
  }
  if (elements.size() > kMaxBatch) {
    return errorReply(ErrorKind::PayloadTooLarge, "batch_too_large",
                      "an array fire holds at most " + std::to_string(kMaxBatch) + " events, this one " +
                          std::to_string(elements.size()));
  }
  std::vector<storage::NewEvent> events;
  events.reserve(elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) {
    auto event = parseFire(elements[i], request.caller().name);
    if (!event) return elementRefused(event.error(), i);
    events.push_back(std::move(*event));
  }
  auto fired = services.events->fireMany(events);
  if (!fired.result) {
    if (fired.refusedIndex) return elementRefused(fired.result.error(), *fired.refusedIndex);
    return errorReply(fired.result.error());
  }
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& one : fired.result->events) answers.push_back(firedToJson(one));
  return jsonReply(202, {{"events", std::move(answers)}});
}

}  // namespace hookhost::http
