#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "plugins/call_scope.hpp"
#include "plugins/loaded_plugin.hpp"
#include "plugins/plugin_manifest.hpp"

namespace hookhost::plugins {

/// Everything one load needs besides the file.
struct LoadRequest {
  std::filesystem::path file;
  /// Plugin-level config handed to init (the manifest's "config", or {}).
  nlohmann::json config = nlohmann::json::object();
  /// Kept in the result's PluginInfo; not interpreted by the loader.
  std::optional<PluginManifest> manifest;
  /// Whether a hook is in the catalog; unset = every hook exists.
  std::function<bool(const std::string& hook)> hookExists;
  /// The file another plugin of this name is already loaded from; unset = no check.
  std::function<std::optional<std::filesystem::path>(const std::string& name)> loadedFrom;
  /// Where the plugin's init log lines go; unset = std::clog.
  InitScope::LogSink log;
};

/// Loads plugin libraries with Boost.DLL and checks their description. Every failure is a
/// value whose message starts with the file's path and says why, e.g.
///   "<file>: not a shared library: <dlerror>"
///   "<file>: no entry point hh_plugin_entry_v1"
///   "<file>: wrong ABI major version: plugin has 2, host supports 1"
///   "<file>: description too short: struct_size 8, need at least 80"
///   "<file>: handler 'x' is for unknown hook 'nope.hook'"
///   "<file>: duplicate plugin name 'x' (already loaded from <other>)"
///   "<file>: init failed: <the plugin's message>"
/// Libraries, once mapped, are never unmapped (see LoadedPlugin). Thread-safe.
class PluginLoader {
 public:
  /// With a `copyDir`, each load maps a fresh private copy (`<copyDir>/<stem>.<n>.so`): a file
  /// replaced in place then neither corrupts the mapped code nor makes dlopen hand back the
  /// cached old handle. Without one (the plugin worker, a fresh process) the file is mapped
  /// where it is.
  explicit PluginLoader(std::filesystem::path copyDir = {});

  Result<std::shared_ptr<LoadedPlugin>> load(const LoadRequest& request) const;

 private:
  std::filesystem::path copyDir_;
};

}  // namespace hookhost::plugins
