#include "sandbox/src/python_load_check.hpp"

#include <atomic>

namespace hookhost::sandbox {
namespace {

// Checks hold their workers under keys no stored handler has (ids are positive).
std::int64_t nextCheckId() {
  static std::atomic<std::int64_t> last{0};
  return -(++last);
}

}  // namespace

PreparedWorker::PreparedWorker(WorkerPool& pool, PoolKey heldUnder, std::unique_ptr<Worker> worker)
    : pool_(pool), heldUnder_(std::move(heldUnder)), worker_(std::move(worker)) {}

PreparedWorker::~PreparedWorker() {
  if (worker_) pool_.dropPrepared(heldUnder_, std::move(worker_));
}

void PreparedWorker::adopt(const PoolKey& key) {
  if (worker_) pool_.adoptPrepared(heldUnder_, key, std::move(worker_));
}

Result<std::unique_ptr<PreparedWorker>> checkPythonLoad(PythonExecutor& executor, dispatch::RunRequest request,
                                                        std::chrono::milliseconds timeout) {
  request.handlerId = nextCheckId();
  request.handlerVersion = 0;
  auto spec = executor.specFor(request);
  if (!spec) return spec.error();
  auto worker = executor.pool().prepare(*spec, Clock::now() + timeout);
  if (!worker) {
    const Error& error = worker.error();
    // The pool's own "timeout" (no slot free) is QueueFull: the host is busy, not the pickle bad.
    if (error.kind == ErrorKind::QueueFull) {
      return makeError(ErrorKind::Unavailable, "sandbox_busy", "the sandbox could not check the handler: " + error.message);
    }
    if (error.code == "load_failed" || error.code == "worker_died") {
      return makeError(ErrorKind::Unprocessable, "handler_load_failed", error.message);
    }
    if (error.code == "timeout") {
      return makeError(ErrorKind::Unprocessable, "handler_load_failed",
                       "the handler's pickle did not load within " + std::to_string(timeout.count() / 1000) +
                           " s in the sandbox");
    }
    return makeError(ErrorKind::Unavailable, "sandbox_busy", "the sandbox could not check the handler: " + error.message);
  }
  return std::make_unique<PreparedWorker>(executor.pool(), spec->poolKey, std::move(*worker));
}

}  // namespace hookhost::sandbox
