#pragma once

#include <string>

#include "app/config.hpp"
#include "notify/notification.hpp"
#include "notify/retry_policy.hpp"
#include "notify/webhook_notifier.hpp"
#include "notify/webhook_sender.hpp"
#include "outbox/outbox.hpp"
#include "outbox/webhook_secrets.hpp"

namespace hookhost::app {

/// The webhook body of a notification (DESIGN, "Notification channels"): {"type":
/// "job.succeeded" | "job.failed", "job": the job as GET /v1/jobs/{id} shows it without
/// history, "handler": {"id", "name", "hook", "version"}}, all from the snapshot taken when
/// the job ended.
std::string webhookBody(const notify::Notification& notification);

/// The host's webhooks: `notify.webhook.allow`, the sender and the notifier that sends the
/// outbox's URL rows through it, with the mail's retry policy. Throws ConfigError for a bad
/// allow entry. The store and `retry` must outlive it.
struct WebhookPart {
  WebhookPart(const Config& config, outbox::Outbox& outbox, outbox::WebhookSecrets& secrets, notify::RetryPolicy& retry);

  notify::WebhookSender sender;
  notify::WebhookNotifier notifier;
};

}  // namespace hookhost::app
