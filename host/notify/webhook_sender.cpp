#include "notify/webhook_sender.hpp"

#include <utility>

#include "notify/webhook_signature.hpp"

namespace hookhost::notify {
namespace {

SendResult permanent(std::string error, int status = 0) {
  return SendResult{SendStatus::Permanent, std::move(error), FailureScope::Message, status};
}

SendResult temporary(std::string error, int status = 0) {
  return SendResult{SendStatus::Temporary, std::move(error), FailureScope::Message, status};
}

// DESIGN, "Notification channels": 408 and 429 say "later", other 4xx say "never".
SendResult resultOf(const HttpAnswer& answer) {
  if (answer.status == 0) return temporary(answer.error);
  const std::string text = "HTTP " + std::to_string(answer.status) + (answer.reason.empty() ? "" : " " + answer.reason);
  if (answer.status >= 200 && answer.status < 300) return SendResult{SendStatus::Sent, "", FailureScope::Message, answer.status};
  const bool later = answer.status == 408 || answer.status == 429;
  if (answer.status >= 400 && answer.status < 500 && !later) return permanent(text, answer.status);
  return temporary(text, answer.status);
}

}  // namespace

WebhookSender::WebhookSender(outbox::WebhookSecrets& secrets, DestinationPolicy policy, WebhookBody body,
                             WebhookTimeouts timeouts)
    : secrets_(secrets), policy_(std::move(policy)), body_(std::move(body)), timeouts_(timeouts) {}

std::string WebhookSender::messageId(const Notification& notification) {
  return "msg_" + std::to_string(notification.id);
}

SendResult WebhookSender::send(const Notification& n) const {
  auto url = parseWebhookUrl(n.recipient);
  if (!url) return permanent("bad URL: " + url.error().message);
  auto secret = secrets_.webhookSecret(n.handlerId);
  if (!secret) return temporary("cannot read the webhook secret: " + secret.error().message);
  if (!*secret) return permanent("handler " + std::to_string(n.handlerId) + " has no webhook secret");
  std::string body;
  try {
    body = body_(n);
  } catch (const std::exception& error) {
    return permanent(std::string("cannot build the webhook body: ") + error.what());
  }
  auto address = policy_.resolve(url->host);
  if (!address) {
    const std::string& why = address.error().message;
    return address.error().kind == ErrorKind::Forbidden ? permanent(why) : temporary(why);
  }
  const std::string id = messageId(n);
  const std::int64_t timestamp = nowMicros() / 1'000'000;
  auto signature = signWebhook(**secret, id, timestamp, body);
  if (!signature) return permanent("the handler's webhook secret is malformed");
  HttpAnswer answer = postJson(*url, *address,
                               {{"webhook-id", id},
                                {"webhook-timestamp", std::to_string(timestamp)},
                                {"webhook-signature", *signature},
                                {"User-Agent", "hookhost"}},
                               body, timeouts_);
  return resultOf(answer);
}

}  // namespace hookhost::notify
