#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookhost {

/// A new webhook signing secret in the Standard Webhooks form: "whsec_" and the base64 of
/// 32 bytes of kernel randomness. Made once per handler, when it first gets a URL.
std::string newWebhookSecret();

/// The key bytes of a "whsec_<base64>" secret, or nothing when it is not one.
std::optional<std::string> webhookSecretKey(std::string_view secret);

/// Standard base64 (with padding) of `bytes`, on one line.
std::string base64Encode(std::string_view bytes);

}  // namespace hookhost
