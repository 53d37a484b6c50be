#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "sandbox/src/bwrap_command.hpp"
#include "sandbox/src/sandbox_options.hpp"

namespace hookhost::sandbox {

/// One bwrap process tree started with Boost.Process: its pid (the outer bwrap), the host
/// ends of its stdin/stdout/stderr pipes (close-on-exec, owned here) and a pidfd to await
/// its exit. Killing the outer bwrap takes the whole sandbox down: --die-with-parent kills
/// the namespace's init, and the kernel then kills every process of the pid namespace,
/// including descendants that called setsid.
///
/// Not thread-safe: one owner at a time. The destructor kills and reaps.
class SandboxedProcess {
 public:
  /// Forks and execs bwrap. In the child, before exec: default signal dispositions and an
  /// empty signal mask, its own process group, rlimits (AS, CPU, FSIZE, NOFILE, CORE=0, and
  /// NPROC when switching users), then setgroups/setgid/setuid to `identity` when the host
  /// is root, then every descriptor but 0-2 and the seccomp program closed on exec.
  ///
  /// PR_SET_PDEATHSIG (bwrap --die-with-parent) is tied to the *thread* that forks: call this
  /// from a thread that lives as long as the worker (WorkerPool uses its spawner thread).
  static Result<std::unique_ptr<SandboxedProcess>> launch(const SandboxOptions& options,
                                                          const SandboxIdentity& identity,
                                                          const LaunchSpec& spec);

  ~SandboxedProcess();
  SandboxedProcess(const SandboxedProcess&) = delete;
  SandboxedProcess& operator=(const SandboxedProcess&) = delete;

  pid_t pid() const { return pid_; }
  int stdinFd() const { return stdin_; }
  int stdoutFd() const { return stdout_; }
  int stderrFd() const { return stderr_; }
  int pidFd() const { return pidfd_; }

  /// SIGKILL to the tree and reap; idempotent.
  void kill();

  /// Waits up to `grace` for the process to exit by itself, then kills it; returns how it
  /// ended: "exited with status 3", "killed by signal SIGSEGV". bwrap reports a command
  /// killed by signal N as exit status 128+N; that is mapped back to the signal.
  std::string awaitExit(std::chrono::milliseconds grace);

  /// True once the process has exited (non-blocking).
  bool exited();

 private:
  SandboxedProcess() = default;
  void reap(int options);

  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  int pidfd_ = -1;
  std::optional<int> status_;  // raw wait status once reaped
};

/// "SIGSEGV" for 11; "signal 99" when unknown.
std::string signalName(int signal);

/// Human text for a raw wait status of a bwrap process (see awaitExit).
std::string describeWaitStatus(int status);

}  // namespace hookhost::sandbox
