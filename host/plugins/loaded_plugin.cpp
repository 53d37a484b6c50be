#include "plugins/loaded_plugin.hpp"

#include <utility>

namespace hookhost::plugins {

LoadedPlugin::LoadedPlugin(PluginInfo info, const hh_plugin_v1* entry, void* state,
                           std::unique_ptr<LibraryCopy> copy)
    : info_(std::move(info)), entry_(entry), state_(state), copy_(std::move(copy)) {}

LoadedPlugin::~LoadedPlugin() {
  if (entry_->shutdown) entry_->shutdown(state_);
}

const PluginHandlerInfo* LoadedPlugin::findHandler(std::string_view handler) const {
  for (const auto& candidate : info_.handlers) {
    if (candidate.name == handler) return &candidate;
  }
  return nullptr;
}

CallResult LoadedPlugin::handle(const hh_call_v1& call, std::string_view payloadJson,
                                CallScope& scope) const {
  int32_t status = entry_->handle(state_, &scope, &call, payloadJson.data(), payloadJson.size());
  return scope.finish(status);
}

nlohmann::json LoadedPlugin::toJson() const {
  nlohmann::json handlers = nlohmann::json::array();
  for (const auto& handler : info_.handlers) {
    handlers.push_back({{"name", handler.name},
                        {"hooks", handler.hooks},
                        {"default_tags", handler.defaultTags},
                        {"description", handler.description}});
  }
  return {{"name", info_.name},
          {"version", info_.version},
          {"file", info_.file.string()},
          {"library", info_.libraryPath.string()},
          {"loaded_at", formatRfc3339(info_.loadedAt)},
          {"handlers", std::move(handlers)},
          {"manifest", info_.manifest ? info_.manifest->toJson() : nlohmann::json()}};
}

}  // namespace hookhost::plugins
