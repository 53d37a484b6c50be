#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"

namespace hookhost::testing {

/// A RunContext that records what a handler did: its updates, log lines, emitted events and
/// deferrals, for the executor tests. Thread-safe: executors report from their own threads.
class RecordingRunContext : public dispatch::RunContext {
 public:
  void update(const nlohmann::json& data) override;
  void log(const std::string& line) override;
  /// Refused, as the host refuses an unknown hook, when refusesHook says so.
  Status emit(const dispatch::EmittedEvent& event) override;
  /// Always granted, with the ticket {"token-123", "/v1/jobs/7/callback"}.
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

  std::vector<nlohmann::json> updates() const;
  std::vector<std::string> logs() const;
  std::vector<dispatch::EmittedEvent> emitted() const;
  std::vector<nlohmann::json> deferrals() const;

  /// Which hooks emit refuses; none unless set.
  std::function<bool(const std::string& hook)> refusesHook = [](const std::string&) { return false; };
  /// Called on the reporting thread for each update, after it is recorded.
  std::function<void(const nlohmann::json&)> onUpdate;

 private:
  mutable std::mutex mutex_;
  std::vector<nlohmann::json> updates_;
  std::vector<std::string> logs_;
  std::vector<dispatch::EmittedEvent> emitted_;
  std::vector<nlohmann::json> deferrals_;
};

}  // namespace hookhost::testing
