#include "plugins/worker_messages.hpp"

namespace hookhost::plugins {

nlohmann::json makeWorkerLoadMessage(const LoadedPlugin& plugin, const std::string& handler) {
  return {{"type", "load"},
          {"library", plugin.info().libraryPath.string()},
          {"handler", handler},
          {"config", plugin.info().config}};
}

}  // namespace hookhost::plugins
