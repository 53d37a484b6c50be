#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"
#include "recording_run_context.hpp"
#include "sandbox/src/python_executor.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::sandbox::testing {

using hookhost::testing::RecordingRunContext;

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
