#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "dispatch/executor.hpp"
#include "plugins/in_process_plugin_executor.hpp"
#include "plugins/plugin_directory.hpp"

namespace hookhost::sandbox {
class WorkerPool;
}

namespace hookhost::app {

/// Runs `runtime: plugin` handlers where the operator allows: a plugin listed in
/// `plugins.trusted` runs in-process on the dispatcher thread (fast, but a crash takes
/// the host with it and a timeout cannot be enforced); every other plugin runs in the
/// sandboxed plugin worker, kept warm per (user, handler version, loaded library).
class PluginExecutor final : public dispatch::Executor {
 public:
  /// `pool` may be null when the sandbox cannot run on this machine; untrusted plugins then
  /// fail with the reason instead of running unconfined.
  PluginExecutor(const plugins::PluginDirectory& directory, std::set<std::string> trusted, sandbox::WorkerPool* pool,
                 std::filesystem::path workerBinary, std::string poolUnavailableReason);

  dispatch::RunOutcome run(const dispatch::RunRequest& request, dispatch::RunContext& context) override;
  /// Whether `plugin` ("<plugin>/<handler>") runs inside the host's process: its plugin is
  /// among `trusted` (plugins.trusted).
  static bool runsInProcess(const std::set<std::string>& trusted, const std::string& plugin);

 private:
  const plugins::PluginDirectory& directory_;
  plugins::InProcessPluginExecutor inProcess_;
  std::set<std::string> trusted_;
  sandbox::WorkerPool* pool_;
  std::filesystem::path workerBinary_;
  std::string poolUnavailableReason_;
};

}  // namespace hookhost::app
