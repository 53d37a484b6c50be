// The unauthenticated operational routes: liveness, metrics, and the API's description.
#include "http/error_reply.hpp"
#include "http/routes/routes.hpp"
#include "storage/store_unavailable.hpp"

namespace hookhost::http {

ApiReply getHealth(const ApiRequest& request, Services& services) {
  nlohmann::json body = {{"status", services.shuttingDown ? "shutting_down" : "ok"}};
  // Liveness is public; which hosts run where and with which plugins is for key holders.
  const bool detail = services.healthDetailPublic || request.user.has_value();
  try {
    // Read for everyone: reading the host list is also what tells that the store answers.
    if (services.healthDetails) {
      nlohmann::json details = services.healthDetails();
      if (detail) body.update(details);
    }
  } catch (const storage::StoreUnavailable& error) {
    // Alive, but unable to do its work: a load balancer should send requests elsewhere.
    return jsonReply(503, {{"status", "store_unavailable"},
                           {"error", {{"code", "store_unavailable"}, {"message", error.what()}}}});
  }
  return jsonReply(services.shuttingDown ? 503 : 200, body);
}

ApiReply getMetrics(const ApiRequest&, Services& services) {
  std::string text = services.metricsText ? services.metricsText() : std::string();
  return textReply(200, text, "text/plain; version=0.0.4; charset=utf-8");
}

ApiReply getOpenApi(const ApiRequest&, Services& services) {
  if (!services.openApiSpec) return errorReply(ErrorKind::NotFound, "not_found", "no API description available");
  return jsonReply(200, services.openApiSpec());
}

ApiReply getApiDocs(const ApiRequest&, Services& services) {
  if (!services.apiDocsPage) return errorReply(ErrorKind::NotFound, "not_found", "no API documentation available");
  return textReply(200, services.apiDocsPage(), "text/html; charset=utf-8");
}

ApiReply listPlugins(const ApiRequest&, Services& services) {
  nlohmann::json body = services.pluginsSnapshot ? services.pluginsSnapshot()
                                                 : nlohmann::json{{"plugins", nlohmann::json::array()},
                                                                  {"errors", nlohmann::json::array()}};
  return jsonReply(200, body);
}

}  // namespace hookhost::http
