#include "common/webhook_url.hpp"

#include <cctype>

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include "common/email_address.hpp"

namespace hookhost {
namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return Poco::icompare(std::string(text.substr(0, prefix.size())), std::string(prefix)) == 0;
}

Error invalidUrl(const std::string& why) { return makeError(ErrorKind::Unprocessable, "invalid_url", why); }

}  // namespace

bool isWebhookDestination(std::string_view destination) {
  return startsWithNoCase(destination, "http://") || startsWithNoCase(destination, "https://");
}

Result<WebhookUrl> parseWebhookUrl(std::string_view url) {
  if (url.size() > kMaxWebhookUrlLength) {
    return invalidUrl("is longer than " + std::to_string(kMaxWebhookUrlLength) + " characters");
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return invalidUrl("must be ASCII without spaces or control characters (percent-encode them)");
  }
  if (!isWebhookDestination(url)) return invalidUrl("must start with http:// or https://");
  Poco::URI uri;
  try {
    uri = Poco::URI(std::string(url));
  } catch (const Poco::Exception& error) {
    return invalidUrl("is not a URL: " + error.message());
  }
  if (!uri.getUserInfo().empty()) {
    return invalidUrl("must not carry a user name or password; the webhook signature authenticates hookhost");
  }
  if (!uri.getFragment().empty() || url.find('#') != std::string_view::npos) return invalidUrl("must not have a fragment");
  if (uri.getHost().empty()) return invalidUrl("has no host");
  if (uri.getPort() == 0) return invalidUrl("has port 0");
  WebhookUrl parsed;
  parsed.https = uri.getScheme() == "https";
  parsed.host = uri.getHost();
  parsed.port = uri.getPort();
  parsed.target = uri.getPathEtc();
  if (parsed.target.empty()) parsed.target = "/";
  return parsed;
}

std::string canonicalWebhookUrl(std::string_view url) {
  std::string text(url);
  auto colon = text.find(':');
  for (std::size_t i = 0; i < colon && i < text.size(); ++i) text[i] = static_cast<char>(std::tolower(text[i]));
  return text;
}

std::optional<std::string> notifyDestinationProblem(std::string_view destination) {
  if (destination.empty() || isValidEmailAddress(destination)) return std::nullopt;
  if (!isWebhookDestination(destination)) {
    return "'" + std::string(destination) + "' is neither an email address nor an http(s):// URL";
  }
  auto url = parseWebhookUrl(destination);
  if (!url) return "the URL " + url.error().message;
  return std::nullopt;
}

}  // namespace hookhost
