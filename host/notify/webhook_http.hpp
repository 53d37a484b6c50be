#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/IPAddress.h>

#include "common/webhook_url.hpp"

namespace hookhost::notify {

struct WebhookTimeouts {
  std::chrono::milliseconds connect{5000};   // TCP connect (and TLS handshake start)
  std::chrono::milliseconds request{15000};  // the whole exchange, from connect to answer
};

/// What one POST came to: the answer's status (0 when there was none) or what failed.
struct HttpAnswer {
  int status = 0;
  std::string reason;
  std::string error;  // empty when an answer came
};

/// POSTs `body` as application/json to `url`, connecting to `address` (checked by the
/// caller; no name is looked up here) with the URL's host in the Host header and, for
/// https, in SNI and the certificate check. Redirects are not followed: a 3xx is an answer
/// like any other. Never throws. Thread-safe (each call has its own connection).
HttpAnswer postJson(const WebhookUrl& url, const Poco::Net::IPAddress& address,
                    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                    const WebhookTimeouts& timeouts);

}  // namespace hookhost::notify
