#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"
#include "plugins/loaded_plugin.hpp"

namespace hookhost::plugins {

/// The first message to a hookhost-plugin-worker:
/// {"type":"load","library":<the load's private copy>,"handler":<handler>,"config":<plugin config>}
/// Workers are per (library path, handler): a replaced plugin has a new library path, so
/// keying warm workers by it routes new jobs to the new version.
nlohmann::json makeWorkerLoadMessage(const LoadedPlugin& plugin, const std::string& handler);

/// One job for a loaded worker: the shared worker protocol's "run" message plus the
/// registration's "config" (handed to the plugin per call):
/// {"type":"run","job":{job_id,event_id,hook,user,attempt,handler,handler_id,handler_version},
///  "config":{...},"payload":{...}}
nlohmann::json makeWorkerRunMessage(const dispatch::RunRequest& request);

}  // namespace hookhost::plugins
