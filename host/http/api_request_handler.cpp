#include "http/api_request_handler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "auth/api_keys.hpp"
#include "http/error_reply.hpp"
#include "storage/store_unavailable.hpp"

namespace hookhost::http {
namespace {

// Reads at most `limit` + 1 bytes, so an oversized chunked body is detected without being
// buffered whole.
std::string readCapped(std::istream& in, std::size_t limit) {
  std::string body;
  char buffer[16384];
  while (body.size() <= limit) {
    in.read(buffer, sizeof buffer);
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    body.append(buffer, static_cast<std::size_t>(got));
  }
  return body;
}

ApiReply tooLarge(std::size_t limit) {
  return errorReply(ErrorKind::PayloadTooLarge, "body_too_large",
                    "the request body exceeds the limit of " + std::to_string(limit) + " bytes");
}

}  // namespace

void ApiRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  ApiReply reply;
  try {
    reply = answer(request, response);
  } catch (const storage::StoreUnavailable& error) {
    Poco::Logger::get("hookhost.http").warning("%s %s: %s", request.getMethod(), request.getURI(), std::string(error.what()));
    reply = errorReply(ErrorKind::Unavailable, "store_unavailable",
                       "the database cannot be reached; try again shortly (a fire with the same key is recorded once)");
  } catch (const std::exception& error) {
    Poco::Logger::get("hookhost.http").error("%s %s failed: %s", request.getMethod(), request.getURI(),
                                             std::string(error.what()));
    reply = errorReply(ErrorKind::Internal, "internal_error", "the server failed to handle the request; see its log");
  }
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.contentType);
  std::string body = reply.text ? *reply.text : reply.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!reply.text) body += '\n';
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

ApiReply ApiRequestHandler::answer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  ApiRequest api;
  api.method = request.getMethod();
  Poco::URI uri;
  try {
    uri = Poco::URI(request.getURI());
    api.path = uri.getPath();
    for (const auto& parameter : uri.getQueryParameters()) api.query.push_back(parameter);
  } catch (const Poco::Exception& error) {
    return errorReply(ErrorKind::BadRequest, "malformed_uri", "the request URI is malformed: " + error.displayText());
  }

  auto match = router_.match(api.method, api.path);
  if (!match.route) {
    if (match.pathKnown) {
      return jsonReply(405, {{"error", {{"code", "method_not_allowed"},
                                        {"message", api.method + " is not allowed on " + api.path}}}});
    }
    return errorReply(ErrorKind::NotFound, "not_found", "no such resource: " + api.path);
  }
  api.pathParameters = std::move(match.pathParameters);

  const std::size_t limit = services_.maxBodyBytes;
  if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    // Refused before reading; the unread body makes the connection unusable afterwards.
    response.setKeepAlive(false);
    return tooLarge(limit);
  }
  api.rawBody = readCapped(request.stream(), limit);
  if (api.rawBody.size() > limit) {
    response.setKeepAlive(false);
    return tooLarge(limit);
  }
  if (!api.rawBody.empty()) {
    api.body = nlohmann::json::parse(api.rawBody, nullptr, false);
    if (api.body.is_discarded()) {
      api.body = nullptr;
      return errorReply(ErrorKind::BadRequest, "malformed_json", "the request body is not valid JSON");
    }
  }

  if (request.has("Authorization")) api.authorization = request.get("Authorization");
  if (match.route->access == Access::Authenticated) {
    auto user = auth::authenticate(services_.users, api.authorization);
    if (!user) return errorReply(user.error());
    api.user = *user;
  }
  return match.route->run(api, services_);
}

}  // namespace hookhost::http
