#pragma once

#include "plugin_worker/protocol_channel.hpp"
#include "plugins/call_scope.hpp"

namespace hookhost::sandbox {

/// A handle call's scope inside the plugin worker: log and update become frames to the host;
/// emit and defer are requests answered by emit_result / defer_result frames.
class WorkerScope : public plugins::CallScope {
 public:
  WorkerScope(ProtocolChannel& channel, nlohmann::json pluginConfig, nlohmann::json handlerConfig);

  void log(int32_t level, const std::string& line) override;
  Status update(const nlohmann::json& data) override;
  Status emit(const dispatch::EmittedEvent& event) override;
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

  /// Set when the host's reply made no sense: the worker must quit after this call.
  bool broken() const { return broken_; }

 private:
  ProtocolChannel& channel_;
  bool broken_ = false;
};

}  // namespace hookhost::sandbox
