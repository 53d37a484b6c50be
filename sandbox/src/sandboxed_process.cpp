#include "sandbox/src/sandboxed_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>

#include "sandbox/src/seccomp_filter.hpp"

namespace hookhost::sandbox {
namespace {

namespace bp = boost::process;

struct Limit {
  int resource;
  rlimit value;
};

// Everything the child needs, computed before fork: after fork only async-signal-safe
// calls are allowed (other host threads may hold locks).
struct ChildPlan {
  std::vector<Limit> limits;
  bool switchUser = false;
  uid_t uid = 0;
  gid_t gid = 0;
  int seccompFd = -1;
};

[[noreturn]] void childFail(const char* what) {
  const char* why = std::strerror(errno);
  (void)!::write(STDERR_FILENO, "hookhost sandbox setup failed: ", 31);
  (void)!::write(STDERR_FILENO, what, std::strlen(what));
  (void)!::write(STDERR_FILENO, ": ", 2);
  (void)!::write(STDERR_FILENO, why, std::strlen(why));
  (void)!::write(STDERR_FILENO, "\n", 1);
  ::_exit(126);
}

void setUpChild(const ChildPlan& plan) {
  // The host may block or handle signals (Poco blocks SIGTERM in its main thread); a worker
  // starts from the defaults.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &defaults, nullptr);
  }
  // Out of the host's process group: a Ctrl-C meant for the host does not reach workers
  // directly (they still die with it through --die-with-parent).
  ::setpgid(0, 0);
  for (const auto& limit : plan.limits) {
    if (::setrlimit(limit.resource, &limit.value) != 0) childFail("setrlimit");
  }
  if (plan.switchUser) {
    if (::setgroups(0, nullptr) != 0) childFail("setgroups");
    if (::setgid(plan.gid) != 0) childFail("setgid");
    if (::setuid(plan.uid) != 0) childFail("setuid");
    if (::setuid(0) == 0) childFail("dropping root did not stick");
  }
  // Host descriptors (sockets, the database, other workers' pipes) must not reach the
  // sandbox. Marking them close-on-exec rather than closing keeps Boost.Process's own
  // exec-error pipe working up to the exec.
  if (::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) != 0) {
    childFail("close_range");
  }
  if (plan.seccompFd >= 0 && ::fcntl(plan.seccompFd, F_SETFD, 0) != 0) {
    childFail("seccomp descriptor");
  }
}

ChildPlan planFor(const SandboxOptions& options, const SandboxIdentity& identity) {
  auto both = [](rlim_t value) { return rlimit{value, value}; };
  ChildPlan plan;
  plan.limits = {
      {RLIMIT_AS, both(static_cast<rlim_t>(options.memoryMb) << 20)},
      // The soft limit is the per-run budget the runner re-arms before each job; the hard
      // limit bounds a worker over its whole life (it is recycled after recycleAfterRuns).
      {RLIMIT_CPU, rlimit{options.cpuSeconds,
                          static_cast<rlim_t>(options.cpuSeconds) *
                              (static_cast<rlim_t>(options.recycleAfterRuns) + 1)}},
      {RLIMIT_FSIZE, both(static_cast<rlim_t>(options.maxFileMb) << 20)},
      {RLIMIT_NOFILE, both(options.maxOpenFiles)},
      {RLIMIT_CORE, both(0)},
  };
  if (identity.switchUser) {
    // RLIMIT_NPROC counts every process of the uid, and all workers share the sandbox uid.
    // Outside the sandbox the cap covers all workers; `prlimit --nproc` inside bwrap sets the
    // per-worker cap, which the kernel counts per user namespace.
    plan.limits.push_back(
        {RLIMIT_NPROC, both(static_cast<rlim_t>(options.maxProcs + 8) * options.maxWorkers)});
    plan.switchUser = true;
    plan.uid = identity.uid;
    plan.gid = identity.gid;
  }
  return plan;
}

Result<std::pair<int, int>> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return makeError(ErrorKind::Internal, "spawn_failed", std::string("pipe2: ") + std::strerror(errno));
  }
  return std::pair<int, int>{fds[0], fds[1]};
}

}  // namespace

std::string signalName(int signal) {
  if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
  return "signal " + std::to_string(signal);
}

std::string describeWaitStatus(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + signalName(WTERMSIG(status));
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    if (code > 128 && code < 128 + NSIG) return "killed by signal " + signalName(code - 128);
    return "exited with status " + std::to_string(code);
  }
  return "ended with wait status " + std::to_string(status);
}

Result<std::unique_ptr<SandboxedProcess>> SandboxedProcess::launch(
    const SandboxOptions& options, const SandboxIdentity& identity, const LaunchSpec& spec) {
  auto program = seccompProgram();
  if (!program) return program.error();
  auto seccompFd = seccompProgramFd(*program);
  if (!seccompFd) return seccompFd.error();
  ChildPlan plan = planFor(options, identity);
  plan.seccompFd = *seccompFd;

  std::vector<std::string> argv = buildBwrapArgv(options, spec, plan.seccompFd);
  auto in = makePipe();
  auto out = makePipe();
  auto err = makePipe();
  if (!in || !out || !err) {
    for (auto* p : {&in, &out, &err}) {
      if (*p) {
        ::close((*p)->first);
        ::close((*p)->second);
      }
    }
    ::close(plan.seccompFd);
    return makeError(ErrorKind::Internal, "spawn_failed", "could not create pipes");
  }
  bp::pipe stdinPipe(in->first, in->second);
  bp::pipe stdoutPipe(out->first, out->second);
  bp::pipe stderrPipe(err->first, err->second);

  // bwrap's own environment shows in the sandbox as /proc/1/environ: keep it empty.
  bp::environment emptyEnv;  // a default-constructed environment holds no variables
  std::error_code ec;
  bp::child child(
      bp::exe = argv.front(),
      bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::env = emptyEnv,
      bp::std_in < stdinPipe, bp::std_out > stdoutPipe, bp::std_err > stderrPipe,
      bp::extend::on_exec_setup = [&plan](auto&) { setUpChild(plan); }, ec);
  ::close(plan.seccompFd);
  if (ec || !child.valid()) {
    return makeError(ErrorKind::Internal, "spawn_failed",
                     "could not start " + argv.front() + ": " + ec.message());
  }
  child.detach();  // this class owns the pid from here on: it kills and reaps

  std::unique_ptr<SandboxedProcess> process(new SandboxedProcess());
  process->pid_ = child.id();
  process->stdin_ = stdinPipe.native_sink();
  stdinPipe.assign_sink(-1);
  process->stdout_ = stdoutPipe.native_source();
  stdoutPipe.assign_source(-1);
  process->stderr_ = stderrPipe.native_source();
  stderrPipe.assign_source(-1);
  process->pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, process->pid_, 0));
  if (process->pidfd_ < 0) {
    return makeError(ErrorKind::Internal, "spawn_failed",
                     std::string("pidfd_open: ") + std::strerror(errno));
  }
  for (int fd : {process->stdin_, process->stdout_, process->stderr_}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return process;
}

SandboxedProcess::~SandboxedProcess() {
  kill();
  for (int fd : {stdin_, stdout_, stderr_, pidfd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void SandboxedProcess::reap(int options) {
  if (status_ || pid_ <= 0) return;
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, options);
  } while (got < 0 && errno == EINTR);
  if (got == pid_) status_ = status;
  if (got < 0) status_ = 0;  // ECHILD: somebody else reaped it (SIGCHLD ignored)
}

void SandboxedProcess::kill() {
  if (status_ || pid_ <= 0) return;
  if (pidfd_ >= 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
  } else {
    ::kill(pid_, SIGKILL);
  }
  reap(0);
}

bool SandboxedProcess::exited() {
  reap(WNOHANG);
  return status_.has_value();
}

std::string SandboxedProcess::awaitExit(std::chrono::milliseconds grace) {
  if (!status_ && pidfd_ >= 0) {
    pollfd exitWatch{pidfd_, POLLIN, 0};
    int rc;
    do {
      rc = ::poll(&exitWatch, 1, static_cast<int>(grace.count()));
    } while (rc < 0 && errno == EINTR);
  }
  reap(WNOHANG);
  if (!status_) {
    kill();
    return "did not exit and was killed";
  }
  return describeWaitStatus(*status_);
}

}  // namespace hookhost::sandbox
