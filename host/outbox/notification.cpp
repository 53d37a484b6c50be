#include "outbox/notification.hpp"

namespace hookhost::outbox {

std::string_view outcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::Succeeded: return "succeeded";
    case Outcome::Failed: return "failed";
    case Outcome::TimedOut: return "timed_out";
  }
  return "failed";
}

std::string_view channelName(Channel channel) { return channel == Channel::Webhook ? "webhook" : "mail"; }

Channel channelOf(std::string_view recipient) {
  const bool url = recipient.rfind("http://", 0) == 0 || recipient.rfind("https://", 0) == 0;
  return url ? Channel::Webhook : Channel::Mail;
}

std::optional<Outcome> parseOutcome(std::string_view name) {
  if (name == "succeeded") return Outcome::Succeeded;
  if (name == "failed") return Outcome::Failed;
  if (name == "timed_out") return Outcome::TimedOut;
  return std::nullopt;
}

std::string jobPathOf(std::int64_t jobId) { return "/v1/jobs/" + std::to_string(jobId); }

nlohmann::json notificationToJson(const Notification& n) {
  nlohmann::json out = {
      {"job_id", n.jobId},
      {"event_id", n.eventId},
      {"handler_id", n.handlerId},
      {"handler", n.handlerName},
      {"handler_version", n.handlerVersion},
      {"hook", n.hook},
      {"attempt", n.jobAttempt},
      {"outcome", outcomeName(n.outcome)},
      {"recipient", n.recipient},
      {"result", n.result},
      {"error", n.error},
      {"started_at", n.startedAt},
      {"finished_at", n.finishedAt},
      {"job_path", n.jobPath},
      {"public_base_url", n.publicBaseUrl},
      {"job_state", n.jobState},
      {"max_attempts", n.maxAttempts},
      {"job_created_at", n.jobCreatedAt},
  };
  if (!n.chain.is_null()) out["chain"] = n.chain;
  return out;
}

Result<Notification> notificationFromJson(const nlohmann::json& snapshot) {
  auto bad = [](const std::string& why) {
    return makeError(ErrorKind::Internal, "bad_notification", "notification snapshot: " + why);
  };
  if (!snapshot.is_object()) return bad("not an object");
  Notification n;
  try {
    n.jobId = snapshot.at("job_id").get<std::int64_t>();
    n.eventId = snapshot.at("event_id").get<std::int64_t>();
    n.handlerId = snapshot.at("handler_id").get<std::int64_t>();
    n.handlerName = snapshot.at("handler").get<std::string>();
    n.handlerVersion = snapshot.at("handler_version").get<int>();
    n.hook = snapshot.at("hook").get<std::string>();
    n.jobAttempt = snapshot.at("attempt").get<int>();
    auto outcome = parseOutcome(snapshot.at("outcome").get<std::string>());
    if (!outcome) return bad("unknown outcome");
    n.outcome = *outcome;
    n.recipient = snapshot.at("recipient").get<std::string>();
    n.result = snapshot.at("result").get<std::string>();
    n.error = snapshot.at("error").get<std::string>();
    n.startedAt = snapshot.at("started_at").get<Micros>();
    n.finishedAt = snapshot.at("finished_at").get<Micros>();
    n.jobPath = snapshot.at("job_path").get<std::string>();
    n.publicBaseUrl = snapshot.at("public_base_url").get<std::string>();
    if (auto chain = snapshot.find("chain"); chain != snapshot.end() && chain->is_object()) n.chain = *chain;
    n.jobState = snapshot.value("job_state", "");
    n.maxAttempts = snapshot.value("max_attempts", 0);
    n.jobCreatedAt = snapshot.value("job_created_at", Micros{0});
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  return n;
}

}  // namespace hookhost::outbox
