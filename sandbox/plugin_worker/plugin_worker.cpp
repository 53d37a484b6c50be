#include "plugin_worker/plugin_worker.hpp"

#include <unistd.h>

#include "plugin_worker/worker_scope.hpp"
#include "plugins/call_info.hpp"
#include "plugins/plugin_loader.hpp"

namespace hookhost::sandbox {
namespace {

const char* statusName(dispatch::RunStatus status) {
  switch (status) {
    case dispatch::RunStatus::Succeeded: return "succeeded";
    case dispatch::RunStatus::Deferred: return "deferred";
    default: return "failed";
  }
}

}  // namespace

PluginWorker::PluginWorker(ProtocolChannel& channel, OutputCapture& output, int diagnosticFd)
    : channel_(channel), output_(output), diagnosticFd_(diagnosticFd) {}

int PluginWorker::run() {
  if (!load()) return 1;
  for (;;) {
    auto message = channel_.receive();
    if (!message) {
      if (message.error().code == "closed") return 0;
      diagnose("bad frame from host: " + message.error().message);
      return 2;
    }
    if (message->value("type", "") != "run") {
      diagnose("unexpected message from host: " + message->dump());
      return 2;
    }
    if (!runOne(*message)) return 2;
  }
}

bool PluginWorker::load() {
  auto message = channel_.receive();
  if (!message) {
    if (message.error().code != "closed") diagnose("bad frame from host: " + message.error().message);
    return false;
  }
  auto fail = [&](const std::string& why) {
    channel_.send({{"type", "error"}, {"error", why}});
    return false;
  };
  if (message->value("type", "") != "load") return fail("expected a load message first");
  const auto& library = (*message)["library"];
  const auto& handler = (*message)["handler"];
  if (!library.is_string() || !handler.is_string()) {
    return fail("load needs \"library\" and \"handler\" strings");
  }
  plugins::LoadRequest request;
  request.file = library.get<std::string>();
  if (auto config = message->find("config"); config != message->end() && config->is_object()) {
    request.config = *config;
  }
  // Init log lines have no job to belong to; they go to the worker's diagnostics.
  request.log = [this](int32_t level, const std::string& line) {
    diagnose(std::string("init [") + plugins::logLevelName(level) + "] " + line);
  };
  // A fresh process maps the file in place: no cached handle can be handed back here.
  plugins::PluginLoader loader;
  auto loaded = loader.load(request);
  output_.flush();
  if (!loaded) return fail(loaded.error().message);
  handler_ = handler.get<std::string>();
  if (!(*loaded)->findHandler(handler_)) {
    return fail("plugin '" + (*loaded)->name() + "' has no handler '" + handler_ + "'");
  }
  plugin_ = std::move(*loaded);
  return static_cast<bool>(channel_.send({{"type", "loaded"},
                                          {"plugin", plugin_->name()},
                                          {"version", plugin_->info().version}}));
}

bool PluginWorker::runOne(const nlohmann::json& message) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto& job = message.contains("job") && message["job"].is_object() ? message["job"] : kEmpty;
  const auto& config = message.contains("config") && message["config"].is_object() ? message["config"] : kEmpty;
  const auto& payload = message.contains("payload") ? message["payload"] : kEmpty;

  plugins::CallInfo call(job, config, handler_);
  WorkerScope scope(channel_, plugin_->info().config, config);
  plugins::CallResult result = plugin_->handle(call.abi(), payload.dump(), scope);
  output_.flush();
  if (scope.broken()) {
    diagnose("the host answered a request out of protocol");
    return false;
  }
  nlohmann::json reply = {{"type", "result"}, {"status", statusName(result.status)}};
  if (result.status == dispatch::RunStatus::Succeeded) reply["result"] = result.result;
  if (result.status == dispatch::RunStatus::Failed) {
    reply["error"] = result.error;
    reply["traceback"] = "";
  }
  return static_cast<bool>(channel_.send(reply));
}

void PluginWorker::diagnose(const std::string& line) {
  // Not a protocol frame: the host may not expect one before "loaded" or between jobs.
  std::string text = "hookhost-plugin-worker: " + line + "\n";
  [[maybe_unused]] auto put = ::write(diagnosticFd_, text.data(), text.size());
}

}  // namespace hookhost::sandbox
