#include "sandbox/src/python_executor.hpp"

#include "sandbox/src/worker_protocol.hpp"

namespace hookhost::sandbox {

std::filesystem::path pythonRunnerDir(const std::filesystem::path& shareDir) {
  return shareDir / "hookhost" / "sandbox";
}

PythonExecutor::PythonExecutor(WorkerPool& pool, std::filesystem::path runnerDir)
    : pool_(pool), runnerDir_(std::filesystem::absolute(std::move(runnerDir))) {}

PoolKey PythonExecutor::poolKeyFor(const dispatch::RunRequest& request) {
  return PoolKey{Runtime::Python, request.user, request.handlerId, request.handlerVersion, {}};
}

void PythonExecutor::retireHandler(const std::string& user, std::int64_t handlerId) {
  pool_.retire(PoolKey{Runtime::Python, user, handlerId, 0, {}});
}

dispatch::RunOutcome PythonExecutor::run(const dispatch::RunRequest& request,
                                         dispatch::RunContext& context) {
  WorkerSpec spec;
  spec.poolKey = poolKeyFor(request);
  // -I: isolated mode (no user site, no PYTHON* variables, no script dir on sys.path
  // beyond what the runner adds itself); -u: unbuffered, the runner manages its own pipes.
  spec.argv = {pool_.options().python, "-I", "-u",
               (runnerDir_ / "hookhost_runner.py").string()};
  spec.extraReadOnlyBinds = {runnerDir_.string()};
  spec.loadMessage = {{"type", "load"},
                      {"code", request.codeBase64},
                      {"output_cap", pool_.options().outputCapBytes}};
  auto timeout = request.timeout.count() > 0 ? request.timeout : pool_.options().defaultTimeout;
  return pool_.run(spec, runMessageFor(request), timeout, context);
}

}  // namespace hookhost::sandbox
