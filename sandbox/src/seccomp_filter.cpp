#include "sandbox/src/seccomp_filter.hpp"

#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

namespace hookhost::sandbox {
namespace {

// Syscalls a handler never needs and that reach other processes, the kernel keyring, or the
// kernel's attack surface. mount/umount2 would fail anyway without capabilities; denying them
// here keeps that true even if a namespace hands out capabilities.
constexpr const char* kDenied[] = {
    "ptrace",     "process_vm_readv", "process_vm_writev", "keyctl",        "add_key",
    "request_key", "mount",           "umount2",           "bpf",           "perf_event_open",
    "kcmp",       "pidfd_getfd",      "process_madvise",   "fsopen",        "fsmount",
    "move_mount", "open_tree",        "userfaultfd",       "kexec_load",    "init_module",
    "finit_module", "delete_module",  "iopl",              "ioperm",        "swapon",
    "swapoff",    "reboot",           "acct",              "quotactl",      "lookup_dcookie",
};

Result<std::string> build() {
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> filter(seccomp_init(SCMP_ACT_ALLOW),
                                                          seccomp_release);
  if (!filter) return makeError(ErrorKind::Internal, "seccomp", "seccomp_init failed");
  const auto deny = SCMP_ACT_ERRNO(EPERM);
  for (const char* name : kDenied) {
    int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (int rc = seccomp_rule_add(filter.get(), deny, number, 0); rc < 0) {
      return makeError(ErrorKind::Internal, "seccomp",
                       std::string("seccomp_rule_add(") + name + "): " + std::strerror(-rc));
    }
  }
  // TIOCSTI pushes input into the controlling terminal (escape from a session); TIOCLINUX
  // does the same through the console selection buffer.
  for (unsigned long request : {static_cast<unsigned long>(TIOCSTI),
                                static_cast<unsigned long>(TIOCLINUX)}) {
    if (int rc = seccomp_rule_add(filter.get(), deny, SCMP_SYS(ioctl), 1,
                                  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, request));
        rc < 0) {
      return makeError(ErrorKind::Internal, "seccomp",
                       std::string("seccomp_rule_add(ioctl): ") + std::strerror(-rc));
    }
  }
  int fd = ::memfd_create("hookhost-seccomp-export", MFD_CLOEXEC);
  if (fd < 0) return makeError(ErrorKind::Internal, "seccomp", std::strerror(errno));
  if (int rc = seccomp_export_bpf(filter.get(), fd); rc < 0) {
    ::close(fd);
    return makeError(ErrorKind::Internal, "seccomp",
                     std::string("seccomp_export_bpf: ") + std::strerror(-rc));
  }
  off_t size = ::lseek(fd, 0, SEEK_END);
  std::string program(static_cast<std::size_t>(size > 0 ? size : 0), '\0');
  ssize_t got = ::pread(fd, program.data(), program.size(), 0);
  ::close(fd);
  if (got != static_cast<ssize_t>(program.size()) || program.empty()) {
    return makeError(ErrorKind::Internal, "seccomp", "could not read the exported filter");
  }
  return program;
}

}  // namespace

Result<std::string> seccompProgram() {
  static std::once_flag once;
  static std::optional<Result<std::string>> program;
  std::call_once(once, [] { program.emplace(build()); });
  return *program;
}

Result<int> seccompProgramFd(const std::string& program) {
  int fd = ::memfd_create("hookhost-seccomp", MFD_CLOEXEC);
  if (fd < 0) return makeError(ErrorKind::Internal, "seccomp", std::strerror(errno));
  std::size_t done = 0;
  while (done < program.size()) {
    ssize_t put = ::write(fd, program.data() + done, program.size() - done);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) {
      int saved = errno;
      ::close(fd);
      return makeError(ErrorKind::Internal, "seccomp", std::strerror(saved));
    }
    done += static_cast<std::size_t>(put);
  }
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace hookhost::sandbox
