#include "plugins/run_context_scope.hpp"

#include <utility>

namespace hookhost::plugins {

RunContextScope::RunContextScope(dispatch::RunContext& context, nlohmann::json pluginConfig,
                                 nlohmann::json handlerConfig)
    : CallScope(std::move(pluginConfig), std::move(handlerConfig)), context_(context) {}

void RunContextScope::log(int32_t level, const std::string& line) {
  if (level == HH_LOG_INFO) {
    context_.log(line);
    return;
  }
  context_.log(std::string("[") + logLevelName(level) + "] " + line);
}

Status RunContextScope::update(const nlohmann::json& data) {
  context_.update(data);
  return Ok{};
}

Status RunContextScope::emit(const dispatch::EmittedEvent& event) { return context_.emit(event); }

Result<dispatch::DeferTicket> RunContextScope::defer(const nlohmann::json& data) {
  return context_.defer(data);
}

}  // namespace hookhost::plugins
