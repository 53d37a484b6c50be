#pragma once

#include <filesystem>
#include <string>

#include "dispatch/executor.hpp"
#include "sandbox/src/python_interpreters.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::sandbox {

/// The bundled runner's folder below the host's share directory:
/// `<share>/hookhost/sandbox` (the host finds `<share>` as `<bin>/../share`).
std::filesystem::path pythonRunnerDir(const std::filesystem::path& shareDir);

/// The Executor for runtime "python": runs RunRequest::code (the raw dill pickle, never
/// unpickled here) in a warm sandboxed python worker of the pool, keyed by user, handler
/// and version. Thread-safe (as the pool is).
class PythonExecutor : public dispatch::Executor {
 public:
  /// `pool` must outlive the executor. `runnerDir` holds hookhost_runner.py (see
  /// pythonRunnerDir); it is bound read-only into each sandbox.
  PythonExecutor(WorkerPool& pool, std::filesystem::path runnerDir);

  dispatch::RunOutcome run(const dispatch::RunRequest& request,
                           dispatch::RunContext& context) override;

  /// Kills the workers of every version of one handler (call on re-registration and
  /// deregistration; a new version would get new workers anyway, this frees the old ones).
  void retireHandler(const std::string& user, std::int64_t handlerId);

  /// The pool key of a request: its user, handler and version.
  static PoolKey poolKeyFor(const dispatch::RunRequest& request);

  /// Runs each handler in the interpreter of its python version (unset: sandbox.python).
  /// `interpreters` must outlive the executor.
  void useInterpreters(const PythonInterpreters& interpreters) { interpreters_ = &interpreters; }
  /// How to start a worker for `request`: its interpreter, binds and load message. Errors:
  /// "python_version_unsupported" when no interpreter matches the request's version.
  Result<WorkerSpec> specFor(const dispatch::RunRequest& request) const;
  WorkerPool& pool() { return pool_; }

 private:
  WorkerPool& pool_;
  std::filesystem::path runnerDir_;
  const PythonInterpreters* interpreters_ = nullptr;
};

}  // namespace hookhost::sandbox
