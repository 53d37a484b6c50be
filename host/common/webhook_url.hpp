#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hookhost {

/// The longest notification URL registration accepts.
constexpr std::size_t kMaxWebhookUrlLength = 2048;

/// A notification URL taken apart for sending. `host` is a name or an address literal
/// (an IPv6 one without brackets); `target` is the path and query sent in the request line.
struct WebhookUrl {
  bool https = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target;
};

/// Whether `destination` is meant as a URL (it starts with http:// or https://, any case)
/// rather than an email address. No email address can start so: ':' is not allowed in one.
bool isWebhookDestination(std::string_view destination);

/// Takes apart an http(s) URL a notification may go to: scheme http or https, a host,
/// no user name or password, no fragment, at most kMaxWebhookUrlLength characters, no
/// whitespace or control characters. Unprocessable, code "invalid_url", with the reason.
Result<WebhookUrl> parseWebhookUrl(std::string_view url);

/// The URL as it is stored: the scheme in lower case (the outbox tells channels apart by
/// it), the rest as given. Only for a URL parseWebhookUrl accepts.
std::string canonicalWebhookUrl(std::string_view url);

/// For notify_on_success / notify_on_failure, in registrations and plugin manifests: why
/// `destination` is neither empty, an email address (isValidEmailAddress) nor an accepted
/// URL, or nothing when it is fine.
std::optional<std::string> notifyDestinationProblem(std::string_view destination);

}  // namespace hookhost
