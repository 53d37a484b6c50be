#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookhost::notify {

/// The Standard Webhooks signature of one message: "v1," and the base64 of
/// HMAC-SHA256(key, "<id>.<timestamp>.<body>"), where key is the base64-decoded part of the
/// "whsec_…" secret. Nothing when `secret` is not of that form. Thread-safe.
std::optional<std::string> signWebhook(std::string_view secret, std::string_view id, std::int64_t timestamp,
                                       std::string_view body);

}  // namespace hookhost::notify
