#include "storage/handler_settings.hpp"

#include <optional>
#include <string>

namespace hookhost {

// Runtime travels by its one spelling ("python", "plugin").
void to_json(nlohmann::json& out, Runtime runtime) { out = std::string(runtimeName(runtime)); }
void from_json(const nlohmann::json& in, Runtime& runtime) { runtime = runtimeNamed(in.get<std::string>()); }

}  // namespace hookhost

// A content filter is an optional pattern whose JSON null is a value ("no filter"), so a
// version keeps it as the pattern or null and restores null as null, not as "unset".
namespace nlohmann {
template <>
struct adl_serializer<std::optional<json>> {
  static void to_json(json& out, const std::optional<json>& in) { out = in.value_or(nullptr); }
  static void from_json(const json& in, std::optional<json>& out) { out = in; }
};
}  // namespace nlohmann

namespace hookhost::storage {
namespace {

// The fields a version keeps, one line each: a new HandlerSpec field is kept (listed in
// GET /v1/handlers/{id}/versions and restored by a rollback) by adding its line here. Its
// type needs nlohmann's to_json/from_json, as the standard types and JSON have.
template <typename Spec, typename Visit>
void eachSetting(Spec& spec, Visit&& visit) {
  visit("runtime", spec.runtime);
  visit("plugin", spec.plugin);
  visit("config", spec.config);
  visit("notify_on_success", spec.notifyOnSuccess);
  visit("notify_on_failure", spec.notifyOnFailure);
  visit("tags", spec.tags);
  visit("timeout_s", spec.timeoutS);
  visit("max_attempts", spec.maxAttempts);
  visit("max_concurrency", spec.maxConcurrency);
  visit("filter", spec.filter);
  visit("python_version", spec.pythonVersion);
}

}  // namespace

nlohmann::json settingsOf(const HandlerSpec& spec) {
  nlohmann::json settings = nlohmann::json::object();
  eachSetting(spec, [&](const char* key, const auto& value) { settings[key] = value; });
  return settings;
}

HandlerSpec withSettings(HandlerSpec base, const nlohmann::json& settings) {
  if (!settings.is_object()) return base;
  eachSetting(base, [&](const char* key, auto& value) {
    auto it = settings.find(key);
    if (it != settings.end()) it->get_to(value);
  });
  return base;
}

}  // namespace hookhost::storage
