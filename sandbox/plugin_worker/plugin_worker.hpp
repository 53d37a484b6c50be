#pragma once

#include <memory>
#include <string>

#include "plugin_worker/output_capture.hpp"
#include "plugin_worker/protocol_channel.hpp"
#include "plugins/loaded_plugin.hpp"

namespace hookhost::sandbox {

/// The native plugin worker's protocol loop (shared worker protocol, see DESIGN.md and
/// plugin-sdk/README.md): one "load" (a library and one of its handlers), then any number of
/// "run" messages, each answered by exactly one "result". Runs on the main thread; a crash
/// inside the plugin ends the process, which is the point of running it here.
class PluginWorker {
 public:
  /// `diagnosticFd` receives the worker's own complaints (the worker's original stderr).
  PluginWorker(ProtocolChannel& channel, OutputCapture& output, int diagnosticFd);

  /// Returns the process exit code: 0 when the host closed the pipe, 1 when loading failed,
  /// 2 on a protocol error.
  int run();

 private:
  bool load();
  bool runOne(const nlohmann::json& message);
  void diagnose(const std::string& line);

  ProtocolChannel& channel_;
  OutputCapture& output_;
  int diagnosticFd_;
  std::shared_ptr<plugins::LoadedPlugin> plugin_;
  std::string handler_;
};

}  // namespace hookhost::sandbox
