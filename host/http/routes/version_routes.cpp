// GET /v1/handlers/{id}/versions and POST /v1/handlers/{id}/rollback.
#include "http/routes/repair_request.hpp"
#include "http/routes/repair_routes.hpp"
#include "http/routes/route_support.hpp"

#include "common/clock.hpp"
#include "storage/handler_settings.hpp"

namespace hookhost::http {
namespace {

nlohmann::json versionToJson(const storage::HandlerVersion& version) {
  return {{"version", version.version},
          {"runtime", runtimeName(version.runtime)},
          {"code_sha256", version.codeSha256.empty() ? nlohmann::json() : nlohmann::json(version.codeSha256)},
          {"settings", version.settings},
          {"updated_at", formatRfc3339(version.createdAt)},
          {"updated_by", version.createdBy}};
}

ApiReply notYours(const std::string& idText, const std::string& what) {
  return errorReply(ErrorKind::Forbidden, "not_owner",
                    "handler " + idText + " is another user's; only its owner or an admin may " + what);
}

}  // namespace

ApiReply listHandlerVersions(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto listed = id ? services.handlers.listVersions(*id) : std::nullopt;
  if (!listed) return notFound("handler", idText);
  if (!mayRepair(request.caller(), listed->ownerId)) return notYours(idText, "list its versions");
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& version : listed->versions) versions.push_back(versionToJson(version));
  return jsonReply(200, versions);
}

// The version's code and settings registered again, as the next version: every rule of a
// registration holds (the owner, the warm workers of the replaced code retired).
ApiReply rollbackHandler(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto handler = id ? services.handlers.getHandler(*id) : std::nullopt;
  if (!handler) return notFound("handler", idText);
  if (!mayRepair(request.caller(), handler->ownerId)) return notYours(idText, "roll it back");
  if (!request.body.is_object()) {
    return errorReply(ErrorKind::BadRequest, "missing_body", "the request needs a JSON body {\"version\": N}");
  }
  auto wanted = optionalVersion(request.body);
  if (!wanted) return errorReply(wanted.error());
  if (!*wanted) return errorReply(ErrorKind::Unprocessable, "invalid_version", "version: is required");
  auto version = services.handlers.getVersion(*id, **wanted);
  if (!version) {
    return errorReply(ErrorKind::NotFound, "version_not_found",
                      "handler " + idText + " has no version " + std::to_string(**wanted) + "; see GET /v1/handlers/" +
                          idText + "/versions");
  }
  storage::HandlerSpec spec = storage::withSettings(handler->spec, version->settings);
  spec.code = version->code;
  const auto& pluginExists = services.registrationRules.pluginHandlerExists;
  if (spec.runtime == Runtime::Plugin && pluginExists && !pluginExists(spec.plugin)) {
    return errorReply(ErrorKind::Conflict, "plugin_missing",
                      "version " + std::to_string(**wanted) + " runs '" + spec.plugin +
                          "', which no loaded plugin provides; see GET /v1/plugins");
  }
  auto registered = services.handlers.registerHandler(spec, request.caller());
  if (!registered) return errorReply(registered.error());
  if (services.onHandlerChanged) services.onHandlerChanged(registered->handler);
  nlohmann::json body = registry::handlerToJson(registered->handler);
  body["rolled_back_to"] = **wanted;
  return jsonReply(200, body);
}

}  // namespace hookhost::http
