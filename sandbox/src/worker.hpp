#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "dispatch/executor.hpp"
#include "sandbox/src/frame_channel.hpp"
#include "sandbox/src/sandboxed_process.hpp"

namespace hookhost::sandbox {

/// One loaded sandboxed worker process speaking the worker protocol (load once, then any
/// number of runs). Owned by exactly one thread at a time (WorkerPool hands it out);
/// not thread-safe.
class Worker {
 public:
  /// Sends `loadMessage` and waits for "loaded". Errors: code "load_failed" (the worker
  /// answered "error": the message says why), "timeout", or "worker_died" (with how it
  /// ended and its stderr tail).
  static Result<std::unique_ptr<Worker>> start(std::unique_ptr<SandboxedProcess> process,
                                               const nlohmann::json& loadMessage,
                                               Deadline deadline, std::size_t maxFrameBytes);

  struct RunReport {
    dispatch::RunOutcome outcome;
    bool reusable = false;  // false: the worker broke the protocol, died, or was killed
  };

  /// Sends `runMessage` and pumps the worker's messages into `context` until the result,
  /// the deadline (→ TimedOut, killed) or a protocol violation / death (→ Failed, killed;
  /// the error says how it ended, e.g. "worker killed by signal SIGSEGV"). Output lines
  /// reach the context as they come; the outcome keeps their last `outputCapBytes` (with a
  /// cut marker when more was written). `timeout` is only used in messages.
  RunReport run(const nlohmann::json& runMessage, Deadline deadline,
                std::chrono::milliseconds timeout, dispatch::RunContext& context,
                std::size_t outputCapBytes);

  /// Alive and silent: safe to hand the next job.
  bool readyForReuse();

  void kill() { process_->kill(); }
  pid_t pid() const { return process_->pid(); }
  unsigned runs() const { return runs_; }

 private:
  Worker(std::unique_ptr<SandboxedProcess> process, std::size_t maxFrameBytes);
  std::string describeDeath(const std::string& what);

  std::unique_ptr<SandboxedProcess> process_;
  FrameChannel channel_;
  unsigned runs_ = 0;
};

}  // namespace hookhost::sandbox
