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

Result<WorkerSpec> PythonExecutor::specFor(const dispatch::RunRequest& request) const {
  WorkerSpec spec;
  spec.poolKey = poolKeyFor(request);
  std::string python = pool_.options().python;
  spec.extraReadOnlyBinds = {runnerDir_.string()};
  if (interpreters_) {
    auto found = interpreters_->find(request.pythonVersion);
    if (!found) return found.error();
    python = found->path;
    spec.extraReadOnlyBinds.insert(spec.extraReadOnlyBinds.end(), found->binds.begin(), found->binds.end());
  }
  // -I: isolated mode (no user site, no PYTHON* variables, no script dir on sys.path
  // beyond what the runner adds itself); -u: unbuffered, the runner manages its own pipes.
  spec.argv = {python, "-I", "-u", (runnerDir_ / "hookhost_runner.py").string()};
  spec.loadMessage = {{"type", "load"},
                      {"code", request.codeBase64},
                      {"output_cap", pool_.options().outputCapBytes}};
  return spec;
}

dispatch::RunOutcome PythonExecutor::run(const dispatch::RunRequest& request,
                                         dispatch::RunContext& context) {
  auto spec = specFor(request);
  if (!spec) {
    dispatch::RunOutcome outcome;
    outcome.error = spec.error().message;
    return outcome;
  }
  auto timeout = request.timeout.count() > 0 ? request.timeout : pool_.options().defaultTimeout;
  return pool_.run(*spec, runMessageFor(request), timeout, context);
}

}  // namespace hookhost::sandbox
