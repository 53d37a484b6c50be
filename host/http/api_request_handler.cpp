#include "http/api_request_handler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include "auth/api_keys.hpp"
#include "common/bounded_json.hpp"
#include "http/body_budget.hpp"
#include "http/error_reply.hpp"
#include "http/lingering_close.hpp"
#include "http/reply_writer.hpp"
#include "http/stream_reply.hpp"
#include "storage/storage_full.hpp"
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

ApiReply budgetExhausted() {
  ApiReply reply = errorReply(ErrorKind::Unavailable, "server_busy",
                              "the server holds as many request bodies as it may at once; retry shortly");
  reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

bool hasBody(const Poco::Net::HTTPServerRequest& request) {
  return request.getChunkedTransferEncoding() || (request.hasContentLength() && request.getContentLength64() > 0);
}

}  // namespace

void ApiRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  bodyUnread_ = hasBody(request);
  ApiReply reply;
  try {
    reply = answer(request);
  } catch (const storage::StorageFull& error) {
    // Logged by the store once per spell, not per request.
    reply = errorReply(ErrorKind::StorageFull, "storage_full",
                       "the store's disk is full; nothing was recorded; try again once space is freed");
  } catch (const storage::StoreUnavailable& error) {
    Poco::Logger::get("hookhost.http").warning("%s %s: %s", request.getMethod(), request.getURI(), std::string(error.what()));
    reply = errorReply(ErrorKind::Unavailable, "store_unavailable",
                       "the database cannot be reached; try again shortly (a fire with the same key is recorded once)");
  } catch (const Poco::Net::MessageException& error) {
    reply = errorReply(ErrorKind::BadRequest, "malformed_request", "the request body is not valid HTTP: " + error.message());
  } catch (const std::exception& error) {
    Poco::Logger::get("hookhost.http").error("%s %s failed: %s", request.getMethod(), request.getURI(),
                                             std::string(error.what()));
    reply = errorReply(ErrorKind::Internal, "internal_error", "the server failed to handle the request; see its log");
  }
  // Answered before the body was read: the connection cannot carry another request, and the
  // client must still be able to read this answer while it sends the rest.
  if (bodyUnread_) response.setKeepAlive(false);
  if (reply.stream) return sendStreamReply(request, response, reply);
  sendReply(response, reply);
  if (!bodyUnread_) return;
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl) lingeringClose(impl->socket(), kLingerMaxBytes, kLingerFor);
}

ApiReply ApiRequestHandler::answer(Poco::Net::HTTPServerRequest& request) {
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

  // Who asks is settled from the headers alone: a request that may not act costs no body.
  if (request.has("Authorization")) api.authorization = request.get("Authorization");
  if (auto refused = authorize(*match.route, api)) return *refused;

  const std::size_t limit = services_.maxBodyBytes;
  if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    return tooLarge(limit);
  }
  // A chunked body's size is known only once read: it may take up to the limit.
  const std::size_t need = request.hasContentLength() ? static_cast<std::size_t>(request.getContentLength64()) : limit + 1;
  const bool budgeted = bodyUnread_ && services_.bodyBudget;
  std::optional<BodyBudget::Reservation> reserved = budgeted ? services_.bodyBudget->reserve(need) : std::nullopt;
  if (budgeted && !reserved) return budgetExhausted();
  // Without a length or chunks a request has no body (RFC 9112 6.3); Poco would read one
  // until the client closes, outside the budget.
  if (bodyUnread_) api.rawBody = readCapped(request.stream(), limit);
  if (api.rawBody.size() > limit) return tooLarge(limit);
  bodyUnread_ = false;
  if (!api.rawBody.empty()) {
    auto parsed = parseBoundedJson(api.rawBody);
    if (!parsed) {
      if (parsed.error().code == "too_deep") return errorReply(parsed.error());
      return errorReply(ErrorKind::BadRequest, "malformed_json", "the request body is not valid JSON");
    }
    api.body = std::move(parsed).value();
  }
  return match.route->run(api, services_);
}

std::optional<ApiReply> ApiRequestHandler::authorize(const Route& route, ApiRequest& api) {
  if (route.access == Access::Public) {
    // A public route answers anyone; a valid key may see more (the detail of /health).
    if (api.authorization) {
      try {
        auto user = auth::authenticate(services_.users, api.authorization);
        if (user) api.user = *user;
      } catch (const storage::StoreUnavailable&) {
        // The route answers without the key's extras; /health then reports the store itself.
      }
    }
    return std::nullopt;
  }
  auto user = auth::authenticate(services_.users, api.authorization);
  if (!user) return errorReply(user.error());
  api.user = *user;
  if (auto refused = roleRefusal(route, *api.user)) return errorReply(*refused);
  return std::nullopt;
}

}  // namespace hookhost::http
