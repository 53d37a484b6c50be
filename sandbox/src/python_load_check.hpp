#pragma once

#include <chrono>
#include <memory>

#include "common/result.hpp"
#include "dispatch/executor.hpp"
#include "sandbox/src/python_executor.hpp"

namespace hookhost::sandbox {

/// A worker that loaded a handler's pickle at registration and waits, holding a pool slot,
/// to become that handler's first warm worker. Dropped unadopted (the registration failed
/// after the check), it is killed.
class PreparedWorker {
 public:
  PreparedWorker(WorkerPool& pool, PoolKey heldUnder, std::unique_ptr<Worker> worker);
  ~PreparedWorker();
  PreparedWorker(const PreparedWorker&) = delete;
  PreparedWorker& operator=(const PreparedWorker&) = delete;

  /// Files the worker as idle under `key` (the stored handler's user, id and version).
  void adopt(const PoolKey& key);

 private:
  WorkerPool& pool_;
  PoolKey heldUnder_;
  std::unique_ptr<Worker> worker_;
};

/// The registration's load check: starts a sandboxed worker of the request's interpreter
/// (RunRequest::pythonVersion) that unpickles RunRequest::codeBase64 without calling it,
/// within `timeout` and the sandbox's limits, exactly as a run's cold start does; nothing of
/// the pickle is decoded in the host. request.handlerId and handlerVersion are ignored (the
/// handler is not stored yet). Errors: Unprocessable "python_version_unsupported", or
/// Unprocessable "handler_load_failed" whose message holds the exception and the traceback;
/// Unavailable when the pool is shutting down or full.
Result<std::unique_ptr<PreparedWorker>> checkPythonLoad(PythonExecutor& executor, dispatch::RunRequest request,
                                                        std::chrono::milliseconds timeout);

}  // namespace hookhost::sandbox
