#include "http/handler_operations.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {


ApiReply registerHandler(const ApiRequest& request, Services& services) {
  if (request.body.is_null()) {
    return errorReply(ErrorKind::BadRequest, "missing_body", "the request needs a JSON body describing the handler");
  }
  auto registered = registerHandlerAs(request.body, request.caller(), services);
  if (!registered) return errorReply(registered.error());
  auto answer = registry::handlerToJson(registered->handler);
  if (registered->newWebhookSecret) answer["webhook_secret"] = *registered->newWebhookSecret;  // shown this once
  return jsonReply(registered->created ? 201 : 200, answer);
}

ApiReply listHandlers(const ApiRequest& request, Services& services) {
  // `hooks` is what the seed's client documents, `hook` what its original code sent.
  std::vector<std::string> hooks = request.queryValues("hook");
  for (auto& hook : request.queryValues("hooks")) hooks.push_back(hook);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& handler : services.handlers.listHandlers(hooks)) list.push_back(registry::handlerToJson(handler));
  return jsonReply(200, list);
}

ApiReply getHandler(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto handler = id ? services.handlers.getHandler(*id) : std::nullopt;
  if (!handler) return notFound("handler", idText);
  return jsonReply(200, registry::handlerToJson(*handler));
}

ApiReply deleteHandler(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  if (!id) return notFound("handler", idText);
  auto deleted = deregisterHandlerAs(*id, request.caller(), services);
  if (!deleted) return errorReply(deleted.error());
  return jsonReply(200, {{"deleted", true}});
}

}  // namespace hookhost::http
