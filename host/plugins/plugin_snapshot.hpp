#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "plugins/loaded_plugin.hpp"

namespace hookhost::plugins {

/// A file in plugins.dir that could not be loaded, and why ("<file>: <reason>").
struct PluginLoadError {
  std::filesystem::path file;
  std::string code;     // not_shared_library, no_entry_point, abi_mismatch, too_short, ...
  std::string message;
  Micros at = 0;
};

/// An immutable view of plugins.dir at one moment: what GET /v1/plugins shows and what new
/// calls resolve against. Shared freely between threads.
struct PluginSnapshot {
  std::uint64_t generation = 0;  // bumped on every change
  std::filesystem::path dir;
  std::vector<std::shared_ptr<const LoadedPlugin>> plugins;  // sorted by name
  std::vector<PluginLoadError> errors;                       // sorted by file
  std::set<std::string> removed;  // names whose file left the directory and did not return

  std::shared_ptr<const LoadedPlugin> find(std::string_view name) const;

  /// {"dir", "generation", "plugins": [LoadedPlugin::toJson()...],
  ///  "errors": [{"file", "code", "error", "at"}], "removed": [names]}
  nlohmann::json toJson() const;
};

}  // namespace hookhost::plugins
