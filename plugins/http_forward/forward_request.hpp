#pragma once

#include <chrono>
#include <map>
#include <string>

namespace hookhost::plugins::forward {

/// One POST of an event to another service.
struct ForwardRequest {
  std::string url;  // http:// or https://
  std::chrono::milliseconds timeout{10'000};  // per connect, send and receive
  std::map<std::string, std::string> headers;
  std::string body;  // JSON
};

/// What came back: always a 2xx status (anything else throws).
struct ForwardResponse {
  int status = 0;
  std::string reason;
  std::string body;
};

/// POSTs with Poco's HTTP client. Throws std::runtime_error with a readable message on a bad
/// URL, a connection failure or timeout, and on any non-2xx answer ("POST <url> answered
/// 503 Service Unavailable: <start of body>"). Thread-safe: every call has its own session.
ForwardResponse postJson(const ForwardRequest& request);

}  // namespace hookhost::plugins::forward
