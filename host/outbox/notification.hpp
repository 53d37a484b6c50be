#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace hookhost::outbox {

/// How the job ended, as the email reports it. TimedOut is a failure (it goes to
/// notify_on_failure and the subject says "failed"); the body says "timed out".
enum class Outcome { Succeeded, Failed, TimedOut };

/// Where a notification goes: an email address or an http(s):// URL (a webhook). Each has its
/// own sender; the outbox hands each only its own rows.
enum class Channel { Mail, Webhook };

/// "mail" or "webhook", as /metrics and the NOTIFY history name them.
std::string_view channelName(Channel channel);
/// The channel of a stored recipient (a URL's scheme is stored in lower case).
Channel channelOf(std::string_view recipient);

/// "succeeded", "failed", "timed_out": the stable spelling used in the stored snapshot.
std::string_view outcomeName(Outcome outcome);
std::optional<Outcome> parseOutcome(std::string_view name);

/// One email to send, snapshotted when the job reached its terminal state so that a later
/// change to the handler (new version, new address, deletion) does not change what is sent.
/// The first group is written once by the finishing transaction; the send state is owned by
/// the outbox and updated only through Outbox calls.
struct Notification {
  std::int64_t id = 0;  // the outbox row id; also names the Message-ID and the spool file
  std::int64_t jobId = 0;
  std::int64_t eventId = 0;
  std::int64_t handlerId = 0;
  std::string handlerName;
  int handlerVersion = 0;
  std::string hook;
  int jobAttempt = 0;  // the job attempt that ended (not the send attempt)
  Outcome outcome = Outcome::Succeeded;
  std::string recipient;  // notify_on_success or notify_on_failure; never empty in the outbox
  std::string result;     // Succeeded: the handler's returned text
  std::string error;      // Failed/TimedOut: message plus traceback or signal
  Micros startedAt = 0;   // 0 when the job never started (e.g. timed out while queued)
  Micros finishedAt = 0;
  std::string jobPath;        // "/v1/jobs/<job id>"
  std::string publicBaseUrl;  // e.g. "https://hooks.example.com"; empty when not configured
  /// A failed job of a multi-step chain (DESIGN "Chains"): {"root_event_id", "root_hook",
  /// "steps": [{"job_id", "event_id", "handler", "hook", "state", "error"}], "truncated"};
  /// null otherwise.
  nlohmann::json chain;
  // For the webhook body, which shows the job as GET /v1/jobs/{id} does; absent (0, "") in
  // rows written before webhooks existed.
  std::string jobState;  // "SUCCEEDED", "FAILED", "TIMED_OUT", ...
  int maxAttempts = 0;
  Micros jobCreatedAt = 0;

  // Send state (owned by the outbox).
  Micros createdAt = 0;  // when the row was committed; the retry window starts here
  int sendAttempts = 0;  // attempts begun, including the one a claim just started
  std::string lastError;
};

/// The snapshot fields (not the send state) as one JSON object, for a store that keeps the
/// snapshot in a single column. notificationFromJson fills only those fields and rejects a
/// document that lacks any of them (ErrorKind::Internal, code "bad_notification").
nlohmann::json notificationToJson(const Notification& notification);
Result<Notification> notificationFromJson(const nlohmann::json& snapshot);

/// "/v1/jobs/<id>", the path both the email and the REST API use.
std::string jobPathOf(std::int64_t jobId);

}  // namespace hookhost::outbox
