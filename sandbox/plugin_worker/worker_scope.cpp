#include "plugin_worker/worker_scope.hpp"

#include <utility>

namespace hookhost::sandbox {

WorkerScope::WorkerScope(ProtocolChannel& channel, nlohmann::json pluginConfig,
                         nlohmann::json handlerConfig)
    : CallScope(std::move(pluginConfig), std::move(handlerConfig)), channel_(channel) {}

void WorkerScope::log(int32_t level, const std::string& line) {
  std::string text = level == HH_LOG_INFO ? line : std::string("[") + plugins::logLevelName(level) + "] " + line;
  channel_.send({{"type", "log"}, {"line", text}});
}

Status WorkerScope::update(const nlohmann::json& data) {
  return channel_.send({{"type", "update"}, {"data", data}});
}

Status WorkerScope::emit(const dispatch::EmittedEvent& event) {
  nlohmann::json message = {{"type", "emit"},
                            {"hook", event.hook},
                            {"payload", event.payload},
                            {"tags", event.tags},
                            {"key", event.key ? nlohmann::json(*event.key) : nlohmann::json()}};
  auto reply = channel_.request(message, "emit_result");
  if (!reply) {
    broken_ = true;
    return reply.error();
  }
  if (reply->value("ok", false)) return Ok{};
  return makeError(ErrorKind::Unprocessable, "emit_refused", reply->value("error", "emit refused"));
}

Result<dispatch::DeferTicket> WorkerScope::defer(const nlohmann::json& data) {
  auto reply = channel_.request({{"type", "defer"}, {"data", data}}, "defer_result");
  if (!reply) {
    broken_ = true;
    return reply.error();
  }
  if (!reply->value("ok", false)) {
    return makeError(ErrorKind::Unprocessable, "defer_refused", reply->value("error", "defer refused"));
  }
  return dispatch::DeferTicket{reply->value("token", ""), reply->value("callback_path", "")};
}

}  // namespace hookhost::sandbox
