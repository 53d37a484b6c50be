#include "plugins/in_process_plugin_executor.hpp"

#include "plugins/call_info.hpp"
#include "plugins/run_context_scope.hpp"

namespace hookhost::plugins {

InProcessPluginExecutor::InProcessPluginExecutor(const PluginDirectory& directory)
    : directory_(directory) {}

dispatch::RunOutcome InProcessPluginExecutor::run(const dispatch::RunRequest& request,
                                                  dispatch::RunContext& context) {
  dispatch::RunOutcome outcome;
  auto resolved = directory_.resolve(request.plugin);
  if (!resolved) {
    outcome.status = dispatch::RunStatus::Failed;
    outcome.error = resolved.error().message;
    return outcome;
  }
  CallInfo call(request, resolved->handler);
  RunContextScope scope(context, resolved->plugin->info().config, request.config);
  std::string payload = request.payload.dump();
  CallResult result = resolved->plugin->handle(call.abi(), payload, scope);
  outcome.status = result.status;
  outcome.result = std::move(result.result);
  outcome.error = std::move(result.error);
  return outcome;
}

}  // namespace hookhost::plugins
