#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobs/coalesce_settings.hpp"

#include "common/result.hpp"

namespace hookhost::plugins {

/// How a handler of the plugin runs: in a sandboxed worker (default) or on the dispatcher
/// thread (only for plugins listed in plugins.trusted; the host checks that).
enum class Execution { Isolated, InProcess };

/// One handler the manifest asks the host to register automatically.
struct ManifestHandler {
  std::string handler;  // the plugin's handler name
  std::string name;     // the registered handler's name; the loader defaults it to "<plugin>/<handler>"
  std::string hook;
  std::vector<std::string> tags;
  std::string notifyOnSuccess;
  std::string notifyOnFailure;
  nlohmann::json config = nlohmann::json::object();
  Execution execution = Execution::Isolated;
  std::optional<int> timeoutS;
  std::optional<int> maxAttempts;
  nlohmann::json filter;  // the content filter's pattern (filter/event_pattern.hpp); null: none
  std::optional<jobs::CoalesceSettings> coalesce;
};

/// `<name>.json` beside a plugin (see plugin-sdk/README.md for the schema):
/// {"config": {...plugin-level config given to init...},
///  "handlers": [{"handler", "name", "hook", "tags", "notify_on_success", "notify_on_failure",
///                "config", "execution", "timeout_s", "max_attempts", "filter",
///                "coalesce"}]}
struct PluginManifest {
  std::filesystem::path file;
  nlohmann::json config = nlohmann::json::object();
  std::vector<ManifestHandler> handlers;

  nlohmann::json toJson() const;
};

/// Parses a manifest document; the error message names the offending field.
Result<PluginManifest> parseManifest(const nlohmann::json& document, const std::filesystem::path& file);

/// Reads and parses the file. Errors: "<file>: cannot read", "<file>: not JSON: ...",
/// "<file>: <field problem>".
Result<PluginManifest> readManifest(const std::filesystem::path& file);

const char* executionName(Execution execution);

}  // namespace hookhost::plugins
