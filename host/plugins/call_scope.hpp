#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "dispatch/executor.hpp"
#include "hookhost/plugin_abi.h"

// The C ABI declares hh_ctx opaque; the host completes it as the empty base of CallScope so
// a ctx pointer handed to a plugin converts back with a static_cast.
struct hh_ctx {};

namespace hookhost::plugins {

/// How one init or handle call ended, as the host understands it.
struct CallResult {
  dispatch::RunStatus status = dispatch::RunStatus::Failed;
  std::string result;
  std::string error;
};

/// The host side of one plugin callback (init or handle): what the hh_host_api_v1 functions
/// reach through their hh_ctx. Subclasses decide where update/emit/defer/log go (a RunContext
/// in-process, protocol frames in the plugin worker). Thread-safe: a plugin may call from
/// several threads during one handle.
class CallScope : public hh_ctx {
 public:
  /// `pluginConfig` is the plugin-level config; `handlerConfig` the registration's config
  /// (null during init). Both are searched by config_get, handler config first.
  CallScope(nlohmann::json pluginConfig, nlohmann::json handlerConfig);
  virtual ~CallScope() = default;
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

  virtual void log(int32_t level, const std::string& line) = 0;
  virtual Status update(const nlohmann::json& data) = 0;
  virtual Status emit(const dispatch::EmittedEvent& event) = 0;
  virtual Result<dispatch::DeferTicket> defer(const nlohmann::json& data) = 0;

  /// Turns the plugin's status code and whatever it reported into a CallResult.
  CallResult finish(int32_t status);

  /// The table every plugin receives; static, valid for the life of the process.
  static const hh_host_api_v1* hostApi();

  // Entry points behind the C table; public for the table's trampolines only.
  std::optional<std::string> configLookup(std::string_view key) const;
  const char* keep(std::string text);
  void setResult(std::string text);
  void setError(std::string text);
  void markDeferred();

 private:
  nlohmann::json pluginConfig_;
  nlohmann::json handlerConfig_;
  mutable std::mutex mutex_;
  std::deque<std::string> kept_;  // host-owned text handed to the plugin; stable addresses
  std::optional<std::string> result_;
  std::optional<std::string> error_;
  bool deferred_ = false;
};

/// A scope for init: log goes to the given sink; update, emit and defer are refused.
class InitScope : public CallScope {
 public:
  using LogSink = std::function<void(int32_t level, const std::string& line)>;
  InitScope(nlohmann::json pluginConfig, LogSink sink);
  void log(int32_t level, const std::string& line) override;
  Status update(const nlohmann::json& data) override;
  Status emit(const dispatch::EmittedEvent& event) override;
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

 private:
  LogSink sink_;
};

/// "debug", "info", "warn", "error".
const char* logLevelName(int32_t level);

}  // namespace hookhost::plugins
