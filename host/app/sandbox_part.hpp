#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "sandbox/src/python_executor.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::app {

/// The sandbox that runs Python handlers and untrusted plugins: the worker pool and the
/// Python executor over it. Where the sandbox cannot start (no bubblewrap, no user
/// namespaces) the host still serves: pool() is null, problem() says why, and those jobs
/// fail with the reason. Throws ConfigError for bad `sandbox.*` settings.
class SandboxPart {
 public:
  explicit SandboxPart(const Config& config);

  sandbox::WorkerPool* pool() { return pool_.get(); }
  /// Null when the sandbox is unavailable.
  sandbox::PythonExecutor* python() { return python_ ? &*python_ : nullptr; }
  const std::string& problem() const { return problem_; }
  /// Kills idle workers and refuses new runs (the stop step of the host).
  void shutdown();

 private:
  std::unique_ptr<sandbox::WorkerPool> pool_;
  std::string problem_;
  std::optional<sandbox::PythonExecutor> python_;
};

}  // namespace hookhost::app
