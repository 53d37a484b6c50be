#include "plugins/plugin_snapshot.hpp"

namespace hookhost::plugins {

std::shared_ptr<const LoadedPlugin> PluginSnapshot::find(std::string_view name) const {
  for (const auto& plugin : plugins) {
    if (plugin->name() == name) return plugin;
  }
  return nullptr;
}

nlohmann::json PluginSnapshot::toJson() const {
  nlohmann::json out = {{"dir", dir.string()},
                        {"generation", generation},
                        {"plugins", nlohmann::json::array()},
                        {"errors", nlohmann::json::array()},
                        {"removed", removed}};
  for (const auto& plugin : plugins) out["plugins"].push_back(plugin->toJson());
  for (const auto& error : errors) {
    out["errors"].push_back({{"file", error.file.string()},
                             {"code", error.code},
                             {"error", error.message},
                             {"at", formatRfc3339(error.at)}});
  }
  return out;
}

}  // namespace hookhost::plugins
