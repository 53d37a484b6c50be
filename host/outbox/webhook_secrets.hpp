#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace hookhost::outbox {

/// Where the webhook sender finds the secret a handler's webhooks are signed with. Kept by
/// the store (made when a handler first gets a URL, kept when it is replaced); thread-safe.
class WebhookSecrets {
 public:
  virtual ~WebhookSecrets() = default;
  /// The handler's "whsec_…" secret; nothing when it has none. ErrorKind::Unavailable when
  /// the store cannot answer (the send is then retried).
  virtual Result<std::optional<std::string>> webhookSecret(std::int64_t handlerId) = 0;
};

}  // namespace hookhost::outbox
