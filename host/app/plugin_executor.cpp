#include "app/plugin_executor.hpp"

#include "plugins/worker_messages.hpp"
#include "sandbox/src/worker_pool.hpp"
#include "sandbox/src/worker_protocol.hpp"

namespace hookhost::app {

PluginExecutor::PluginExecutor(const plugins::PluginDirectory& directory, std::set<std::string> trusted,
                               sandbox::WorkerPool* pool, std::filesystem::path workerBinary,
                               std::string poolUnavailableReason)
    : directory_(directory),
      inProcess_(directory),
      trusted_(std::move(trusted)),
      pool_(pool),
      workerBinary_(std::move(workerBinary)),
      poolUnavailableReason_(std::move(poolUnavailableReason)) {}

bool PluginExecutor::runsInProcess(const std::set<std::string>& trusted, const std::string& plugin) {
  return trusted.count(plugin.substr(0, plugin.find('/'))) > 0;
}

dispatch::RunOutcome PluginExecutor::run(const dispatch::RunRequest& request, dispatch::RunContext& context) {
  std::string pluginName = request.plugin.substr(0, request.plugin.find('/'));
  if (runsInProcess(trusted_, request.plugin)) return inProcess_.run(request, context);

  dispatch::RunOutcome outcome;
  auto resolved = directory_.resolve(request.plugin);
  if (!resolved) {
    outcome.error = resolved.error().message;
    return outcome;
  }
  if (!pool_) {
    outcome.error = "plugin '" + pluginName + "' must run isolated, and the sandbox is unavailable: " +
                    poolUnavailableReason_;
    return outcome;
  }
  const auto& library = resolved->plugin->info().libraryPath;
  sandbox::WorkerSpec spec;
  spec.poolKey = {Runtime::Plugin, request.user, request.handlerId, request.handlerVersion, library.string()};
  spec.argv = {workerBinary_.string()};
  // Only the worker and this one library are visible inside the sandbox, not plugins.dir.
  spec.extraReadOnlyBinds = {workerBinary_.string(), library.string()};
  spec.loadMessage = plugins::makeWorkerLoadMessage(*resolved->plugin, resolved->handler);
  return pool_->run(spec, sandbox::runMessageFor(request), request.timeout, context);
}

}  // namespace hookhost::app
