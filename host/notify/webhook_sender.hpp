#pragma once

#include <functional>
#include <string>

#include "notify/destination_policy.hpp"
#include "notify/mail_transport.hpp"
#include "notify/notification.hpp"
#include "notify/webhook_http.hpp"
#include "outbox/webhook_secrets.hpp"

namespace hookhost::notify {

/// The JSON body of a notification's webhook; the same notification gives the same bytes.
using WebhookBody = std::function<std::string(const Notification&)>;

/// Delivers one notification to its URL, signed the Standard Webhooks way (headers
/// webhook-id "msg_<notification id>", the same on every attempt; webhook-timestamp;
/// webhook-signature). The destination is resolved at each send and refused unless the
/// policy allows it; the connection goes to the address that was checked. The answer
/// decides: 2xx sent; 4xx except 408 and 429 permanent; anything else, and no answer,
/// temporary. A refused destination is permanent. send() never throws; it may be called
/// from several threads at once. Holds references to `secrets`, which must outlive it.
class WebhookSender {
 public:
  WebhookSender(outbox::WebhookSecrets& secrets, DestinationPolicy policy, WebhookBody body,
                WebhookTimeouts timeouts = {});

  SendResult send(const Notification& notification) const;

  /// "msg_<id>": the webhook-id of a notification.
  static std::string messageId(const Notification& notification);

 private:
  outbox::WebhookSecrets& secrets_;
  const DestinationPolicy policy_;
  const WebhookBody body_;
  const WebhookTimeouts timeouts_;
};

}  // namespace hookhost::notify
