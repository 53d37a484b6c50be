#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plugins/loaded_plugin.hpp"

namespace hookhost::plugins {

/// The first message to a hookhost-plugin-worker:
/// {"type":"load","library":<the load's private copy>,"handler":<handler>,"config":<plugin config>}
/// Workers are per (library path, handler): a replaced plugin has a new library path, so
/// keying warm workers by it routes new jobs to the new version.
nlohmann::json makeWorkerLoadMessage(const LoadedPlugin& plugin, const std::string& handler);

/// Each job then goes as the shared worker protocol's "run" message (sandbox::runMessageFor).

}  // namespace hookhost::plugins
