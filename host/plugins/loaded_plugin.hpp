#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "hookhost/plugin_abi.h"
#include "plugins/call_scope.hpp"
#include "plugins/library_copy.hpp"
#include "plugins/plugin_manifest.hpp"

namespace hookhost::plugins {

/// One handler as the plugin describes it.
struct PluginHandlerInfo {
  std::string name;
  std::vector<std::string> hooks;
  std::vector<std::string> defaultTags;
  std::string description;
};

/// What is known about one load of a plugin file.
struct PluginInfo {
  std::string name;
  std::string version;
  std::filesystem::path file;         // the file in plugins.dir
  std::filesystem::path libraryPath;  // the private versioned copy actually mapped
  Micros loadedAt = 0;
  std::vector<PluginHandlerInfo> handlers;
  nlohmann::json config = nlohmann::json::object();  // plugin-level config given to init
  std::optional<PluginManifest> manifest;
};

/// One initialised load of a plugin library. Shared by whoever may still call it (the
/// directory's snapshot, in-flight calls); the last owner's release calls the plugin's
/// shutdown. The library itself is never unmapped (PluginLoader keeps it forever), so code
/// that may still run (threads the plugin started) stays valid.
/// Thread-safe as far as the plugin's handle is: ABI v1 requires handle to be reentrant.
class LoadedPlugin {
 public:
  /// `copy`, if any, is the private copy the library was mapped from; its file goes when
  /// this load does (after the plugin's shutdown).
  LoadedPlugin(PluginInfo info, const hh_plugin_v1* entry, void* state, std::unique_ptr<LibraryCopy> copy = nullptr);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const PluginInfo& info() const { return info_; }
  const std::string& name() const { return info_.name; }
  const PluginHandlerInfo* findHandler(std::string_view handler) const;

  /// Calls the plugin's handle on this thread; the scope collects what the plugin reports.
  /// `call.handler` must name one of this plugin's handlers.
  CallResult handle(const hh_call_v1& call, std::string_view payloadJson, CallScope& scope) const;

  /// {"name", "version", "file", "library", "loaded_at", "handlers": [...], "manifest"}
  nlohmann::json toJson() const;

 private:
  PluginInfo info_;
  const hh_plugin_v1* entry_;
  void* state_;
  std::unique_ptr<LibraryCopy> copy_;
};

}  // namespace hookhost::plugins
