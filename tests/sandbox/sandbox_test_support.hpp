#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"
#include "sandbox/src/python_executor.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::sandbox::testing {

/// Records what a worker reports; emits to hooks in `refusedHooks` are refused.
class FakeRunContext : public dispatch::RunContext {
 public:
  void update(const nlohmann::json& data) override;
  void log(const std::string& line) override;
  Status emit(const dispatch::EmittedEvent& event) override;
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

  std::vector<nlohmann::json> updates() const;
  std::vector<std::string> logs() const;
  std::vector<dispatch::EmittedEvent> emitted() const;
  std::vector<nlohmann::json> deferrals() const;

  std::vector<std::string> refusedHooks;
  /// Called on the worker's thread for each update, after it is recorded.
  std::function<void(const nlohmann::json&)> onUpdate;

 private:
  mutable std::mutex mutex_;
  std::vector<nlohmann::json> updates_;
  std::vector<std::string> logs_;
  std::vector<dispatch::EmittedEvent> emitted_;
  std::vector<nlohmann::json> deferrals_;
};

/// Pickles `handler` defined by `source` (python; run as __main__ by the same interpreter the
/// sandbox uses, so dill pickles it by value) and returns the raw pickle bytes. Fails the
/// calling test (ADD_FAILURE) and returns "" when python fails.
std::string pickleHandler(const std::string& source);

/// A scratch folder on the host, outside /tmp, unique per call, created empty.
std::filesystem::path scratchDir(const std::string& name);

/// Options for tests: small limits so containment shows quickly.
SandboxOptions testOptions();

/// A RunRequest for the python runtime with the given pickle.
dispatch::RunRequest pythonRequest(const std::string& pickle, const std::string& user = "alice",
                                   std::int64_t handlerId = 1,
                                   nlohmann::json payload = nlohmann::json::object(),
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// The seed's ctingress.on_complete sample payload.
nlohmann::json seedPayload();

/// Pids (host namespace) of processes whose command line contains `marker`.
std::vector<int> processesWithMarker(const std::string& marker);

/// Creates the pool or fails the test.
std::unique_ptr<WorkerPool> makePool(SandboxOptions options = testOptions());

std::filesystem::path runnerDir();

}  // namespace hookhost::sandbox::testing
