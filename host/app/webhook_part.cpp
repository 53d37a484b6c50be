#include "app/webhook_part.hpp"

#include <utility>

#include "http/json_views.hpp"

namespace hookhost::app {
namespace {

notify::DestinationPolicy destinationPolicy(const Config& config) {
  auto policy = notify::DestinationPolicy::fromAllowList(config.list("notify.webhook.allow"));
  if (!policy) throw ConfigError(policy.error().message);
  return std::move(*policy);
}

// The job as the snapshot has it; a row written before webhooks existed lacks the state,
// which its outcome then gives.
storage::Job jobOf(const notify::Notification& n) {
  storage::Job job;
  job.id = n.jobId;
  job.eventId = n.eventId;
  job.handlerId = n.handlerId;
  job.handlerVersion = n.handlerVersion;
  job.handlerName = n.handlerName;
  job.hook = n.hook;
  auto outcomeState = n.outcome == notify::Outcome::Succeeded ? storage::JobState::Succeeded
                      : n.outcome == notify::Outcome::TimedOut ? storage::JobState::TimedOut
                                                               : storage::JobState::Failed;
  job.state = storage::parseJobState(n.jobState).value_or(outcomeState);
  job.attempt = n.jobAttempt;
  job.maxAttempts = n.maxAttempts;
  if (n.outcome == notify::Outcome::Succeeded) job.result = n.result;
  if (n.outcome != notify::Outcome::Succeeded) job.error = n.error;
  job.createdAt = n.jobCreatedAt;
  if (n.startedAt != 0) job.startedAt = n.startedAt;
  if (n.finishedAt != 0) job.finishedAt = n.finishedAt;
  return job;
}

}  // namespace

std::string webhookBody(const notify::Notification& n) {
  nlohmann::json body = {
      {"type", n.outcome == notify::Outcome::Succeeded ? "job.succeeded" : "job.failed"},
      {"job", http::jobToJson(jobOf(n), http::WithHistory::No)},
      {"handler", {{"id", n.handlerId}, {"name", n.handlerName}, {"hook", n.hook}, {"version", n.handlerVersion}}},
  };
  return body.dump();
}

WebhookPart::WebhookPart(const Config& config, outbox::Outbox& outbox, outbox::WebhookSecrets& secrets,
                         notify::RetryPolicy& retry)
    : sender(secrets, destinationPolicy(config), webhookBody), notifier(outbox, sender, retry) {}

}  // namespace hookhost::app
