#pragma once

#include <string>

#include "common/result.hpp"

namespace hookhost::sandbox {

/// The compiled seccomp program (classic BPF, as `seccomp_export_bpf` writes it) that bwrap
/// installs with `--seccomp FD` on the sandboxed command after its own setup. Allows all but:
/// ptrace, process_vm_readv/writev, ioctl TIOCSTI/TIOCLINUX, keyctl, add_key, request_key,
/// mount, umount2, bpf, perf_event_open (and a few relatives), which fail with EPERM;
/// foreign architectures are killed. Built once; thread-safe after the first call.
Result<std::string> seccompProgram();

/// A memfd holding `program`, positioned at 0 and close-on-exec (the launcher clears that
/// flag in the child only). The caller owns the descriptor.
Result<int> seccompProgramFd(const std::string& program);

}  // namespace hookhost::sandbox
