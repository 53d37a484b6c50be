#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/records.hpp"

namespace hookhost::http {

class EventStream;

/// One API request as a route sees it: already authenticated (when the route asks for it),
/// with the body read under the size limit and parsed as JSON when there was one.
struct ApiRequest {
  std::string method;
  std::string path;
  std::vector<std::string> pathParameters;  // the `{…}` segments of the route, in order
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<std::string> authorization;
  std::string rawBody;
  nlohmann::json body;  // null when the request had no body
  std::optional<storage::User> user;

  /// The values of a query parameter, in order (`?hook=a&hook=b`).
  std::vector<std::string> queryValues(const std::string& name) const;
  std::optional<std::string> queryValue(const std::string& name) const;
  /// The authenticated user; only for routes that require one.
  const storage::User& caller() const { return *user; }
};

/// What a route answers: JSON by default; `text` with its own content type otherwise.
struct ApiReply {
  int status = 200;
  nlohmann::json body;
  std::optional<std::string> text;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers (Retry-After)
  /// Set: the body is a stream the function writes (text/event-stream) while it runs on the
  /// server thread; it must return within a bound of its own.
  std::function<void(EventStream&)> stream;
};

ApiReply jsonReply(int status, nlohmann::json body);
ApiReply textReply(int status, std::string text, std::string contentType);

}  // namespace hookhost::http
