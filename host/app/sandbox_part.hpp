#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "sandbox/src/python_executor.hpp"
#include "sandbox/src/python_interpreters.hpp"
#include "sandbox/src/runtime_files.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::app {

/// The sandbox that runs Python handlers and untrusted plugins: the worker pool and the
/// Python executor over it. Where the sandbox cannot start (no bubblewrap, no user
/// namespaces) the host still serves: pool() is null, problem() says why, and those jobs
/// fail with the reason. The runner and the plugin worker are bound from copies in a
/// directory of the host's own (RuntimeFiles), since the sandbox user may not reach the
/// build tree. Throws ConfigError for bad `sandbox.*` settings.
class SandboxPart {
 public:
  explicit SandboxPart(const Config& config);

  /// Null when the sandbox is unavailable.
  sandbox::WorkerPool* pool() { return files_ ? pool_.get() : nullptr; }
  /// The plugin worker's copy; empty when the sandbox is unavailable.
  std::filesystem::path pluginWorker() const { return files_ ? files_->pluginWorker() : std::filesystem::path(); }
  /// Null when the sandbox is unavailable.
  sandbox::PythonExecutor* python() { return python_ ? &*python_ : nullptr; }
  const std::string& problem() const { return problem_; }
  /// The interpreters of sandbox.python / sandbox.pythons, probed in the background from
  /// the start; null when the sandbox is unavailable.
  const sandbox::PythonInterpreters* interpreters() const { return interpreters_ ? &*interpreters_ : nullptr; }
  /// Kills idle workers and refuses new runs (the stop step of the host).
  void shutdown();

 private:
  std::optional<sandbox::RuntimeFiles> files_;  // declared first: outlives the pool's workers
  std::unique_ptr<sandbox::WorkerPool> pool_;
  std::string problem_;
  std::optional<sandbox::PythonExecutor> python_;
  std::optional<sandbox::PythonInterpreters> interpreters_;  // after the pool: its probe ends first
};

}  // namespace hookhost::app
