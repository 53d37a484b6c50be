#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "registry/hook_catalog.hpp"
#include "storage/records.hpp"

namespace hookhost::registry {

/// Limits a registration must respect; defaults come from the config.
struct RegistrationRules {
  int defaultTimeoutS = 60;
  int maxTimeoutS = 86'400;
  int maxAttempts = 100;
  std::size_t maxCodeBytes = 16u << 20;
  /// Whether "<plugin>/<handler>" names a loaded plugin handler; unset = not checked.
  std::function<bool(const std::string&)> pluginHandlerExists;
};

/// Turns a `POST /v1/handlers` body into a HandlerSpec, or says precisely what is wrong:
/// NotFound for an unknown hook, Unprocessable for any field of the wrong type or value.
Result<storage::HandlerSpec> parseRegistration(const nlohmann::json& body, const HookCatalog& catalog,
                                               const RegistrationRules& rules);

/// A handler as the API shows it: never its code.
nlohmann::json handlerToJson(const storage::Handler& handler);

}  // namespace hookhost::registry
