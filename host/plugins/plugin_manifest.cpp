#include "plugins/plugin_manifest.hpp"

#include <fstream>
#include <sstream>

#include "common/bounded_json.hpp"
#include "common/webhook_url.hpp"
#include "filter/event_pattern.hpp"

namespace hookhost::plugins {
namespace {

using nlohmann::json;

Error manifestError(const std::filesystem::path& file, const std::string& why) {
  return makeError(ErrorKind::Unprocessable, "bad_manifest", file.string() + ": " + why);
}

// Reads an optional string member; false when present but not a string.
bool optionalString(const json& object, const char* key, std::string& into) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  into = it->get<std::string>();
  return true;
}

bool optionalInt(const json& object, const char* key, std::optional<int>& into) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_number_integer()) return false;
  into = it->get<int>();
  return true;
}

// One entry of "handlers" (`where` names it in errors, e.g. "handlers[2]").
Result<ManifestHandler> parseHandlerEntry(const json& entry, const std::string& where,
                                          const std::filesystem::path& file) {
  ManifestHandler handler;
  if (!optionalString(entry, "handler", handler.handler) || handler.handler.empty()) {
    return manifestError(file, where + ".handler must be a non-empty string");
  }
  if (!optionalString(entry, "hook", handler.hook) || handler.hook.empty()) {
    return manifestError(file, where + ".hook must be a non-empty string");
  }
  if (!optionalString(entry, "name", handler.name)) {
    return manifestError(file, where + ".name must be a string");
  }
  if (!optionalString(entry, "notify_on_success", handler.notifyOnSuccess) ||
      !optionalString(entry, "notify_on_failure", handler.notifyOnFailure)) {
    return manifestError(file, where + ".notify_on_success/notify_on_failure must be strings");
  }
  for (auto [key, destination] : {std::pair{".notify_on_success: ", &handler.notifyOnSuccess},
                                  std::pair{".notify_on_failure: ", &handler.notifyOnFailure}}) {
    if (auto problem = notifyDestinationProblem(*destination)) return manifestError(file, where + key + *problem);
    if (isWebhookDestination(*destination)) *destination = canonicalWebhookUrl(*destination);
  }
  if (auto tags = entry.find("tags"); tags != entry.end() && !tags->is_null()) {
    if (!tags->is_array()) return manifestError(file, where + ".tags must be an array of strings");
    for (const auto& tag : *tags) {
      if (!tag.is_string()) return manifestError(file, where + ".tags must be an array of strings");
      handler.tags.push_back(tag.get<std::string>());
    }
  }
  if (auto config = entry.find("config"); config != entry.end() && !config->is_null()) {
    if (!config->is_object()) return manifestError(file, where + ".config must be an object");
    handler.config = *config;
  }
  std::string execution = "isolated";
  if (!optionalString(entry, "execution", execution) ||
      (execution != "isolated" && execution != "in_process")) {
    return manifestError(file, where + ".execution must be \"isolated\" or \"in_process\"");
  }
  handler.execution = execution == "in_process" ? Execution::InProcess : Execution::Isolated;
  if (!optionalInt(entry, "timeout_s", handler.timeoutS) ||
      !optionalInt(entry, "max_attempts", handler.maxAttempts)) {
    return manifestError(file, where + ".timeout_s/max_attempts must be integers");
  }
  if (auto filter = entry.find("filter"); filter != entry.end() && !filter->is_null()) {
    auto compiled = filter::EventPattern::compile(*filter, where + ".filter");
    if (!compiled) return manifestError(file, compiled.error().message);
    handler.filter = *filter;
  }
  if (auto coalesce = entry.find("coalesce"); coalesce != entry.end() && !coalesce->is_null()) {
    auto settings = jobs::parseCoalesce(*coalesce);
    if (!settings) return manifestError(file, where + "." + settings.error().message);
    handler.coalesce = *settings;
  }
  return handler;
}

}  // namespace

const char* executionName(Execution execution) {
  return execution == Execution::InProcess ? "in_process" : "isolated";
}

Result<PluginManifest> parseManifest(const json& document, const std::filesystem::path& file) {
  if (!document.is_object()) return manifestError(file, "the manifest is not a JSON object");
  PluginManifest manifest;
  manifest.file = file;
  if (auto it = document.find("config"); it != document.end() && !it->is_null()) {
    if (!it->is_object()) return manifestError(file, "\"config\" is not an object");
    manifest.config = *it;
  }
  auto handlers = document.find("handlers");
  if (handlers == document.end() || handlers->is_null()) return manifest;
  if (!handlers->is_array()) return manifestError(file, "\"handlers\" is not an array");
  for (std::size_t i = 0; i < handlers->size(); ++i) {
    const json& entry = (*handlers)[i];
    std::string where = "handlers[" + std::to_string(i) + "]";
    if (!entry.is_object()) return manifestError(file, where + " is not an object");
    auto handler = parseHandlerEntry(entry, where, file);
    if (!handler) return handler.error();
    manifest.handlers.push_back(std::move(*handler));
  }
  return manifest;
}

Result<PluginManifest> readManifest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return manifestError(file, "cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  auto document = parseBoundedJson(text.str());
  if (!document) {
    return manifestError(file, document.error().code == "too_deep" ? document.error().message : "not valid JSON");
  }
  return parseManifest(*document, file);
}

json PluginManifest::toJson() const {
  json out = {{"file", file.string()}, {"config", config}, {"handlers", json::array()}};
  for (const auto& handler : handlers) {
    json entry = {{"handler", handler.handler},
                  {"hook", handler.hook},
                  {"tags", handler.tags},
                  {"config", handler.config},
                  {"execution", executionName(handler.execution)}};
    if (!handler.name.empty()) entry["name"] = handler.name;
    if (!handler.notifyOnSuccess.empty()) entry["notify_on_success"] = handler.notifyOnSuccess;
    if (!handler.notifyOnFailure.empty()) entry["notify_on_failure"] = handler.notifyOnFailure;
    if (handler.timeoutS) entry["timeout_s"] = *handler.timeoutS;
    if (handler.maxAttempts) entry["max_attempts"] = *handler.maxAttempts;
    if (!handler.filter.is_null()) entry["filter"] = handler.filter;
    if (handler.coalesce) entry["coalesce"] = jobs::coalesceToJson(*handler.coalesce);
    out["handlers"].push_back(std::move(entry));
  }
  return out;
}

}  // namespace hookhost::plugins
