#include "app/python_registration.hpp"

#include <algorithm>

#include "sandbox/src/python_load_check.hpp"

namespace hookhost::app {
namespace {

class WarmPythonHandler : public registry::CheckedHandler {
 public:
  explicit WarmPythonHandler(std::unique_ptr<sandbox::PreparedWorker> worker) : worker_(std::move(worker)) {}

  void registered(const storage::Handler& handler) override {
    dispatch::RunRequest request;
    request.user = handler.createdBy;  // whom its jobs run as (the owner), as retireHandler keys them
    request.handlerId = handler.id;
    request.handlerVersion = handler.version;
    worker_->adopt(sandbox::PythonExecutor::poolKeyFor(request));
  }

 private:
  std::unique_ptr<sandbox::PreparedWorker> worker_;
};

}  // namespace

registry::HandlerCheck pythonLoadCheck(SandboxPart& sandbox, std::chrono::milliseconds maxCheck) {
  return [&sandbox, maxCheck](storage::HandlerSpec& spec) -> Result<std::unique_ptr<registry::CheckedHandler>> {
    if (spec.runtime != Runtime::Python) return std::unique_ptr<registry::CheckedHandler>();
    auto* executor = sandbox.python();
    auto* interpreters = sandbox.interpreters();
    if (!executor || !interpreters) {
      return makeError(ErrorKind::Unprocessable, "python_version_unsupported",
                       "this host cannot run Python handlers: its sandbox is unavailable (" + sandbox.problem() + ")");
    }
    auto python = interpreters->find(spec.pythonVersion);
    if (!python) return python.error();
    spec.pythonVersion = python->version;
    dispatch::RunRequest request;
    request.runtime = Runtime::Python;
    request.user = "hookhost:load-check";
    request.codeBase64 = spec.code;
    request.pythonVersion = spec.pythonVersion;
    auto timeout = std::min<std::chrono::milliseconds>(std::chrono::seconds(spec.timeoutS), maxCheck);
    auto worker = sandbox::checkPythonLoad(*executor, request, timeout);
    if (!worker) return worker.error();
    return std::unique_ptr<registry::CheckedHandler>(std::make_unique<WarmPythonHandler>(std::move(*worker)));
  };
}

}  // namespace hookhost::app
