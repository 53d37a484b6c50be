#pragma once

#include <string>
#include <vector>

#include "sandbox/src/sandbox_options.hpp"

namespace hookhost::sandbox {

/// What runs inside one sandbox: the command (absolute paths as seen inside, which are the
/// host's paths since binds keep their location) and the extra host paths it needs, bound
/// read-only at the same location (the runner's folder, a plugin library, a worker binary).
struct LaunchSpec {
  std::vector<std::string> command;
  std::vector<std::string> readOnlyBinds;
};

/// The full bwrap argv (argv[0] = options.bwrap). The sandbox gets new user, pid, ipc, uts
/// and cgroup namespaces (and net unless options.network allows it), no further user
/// namespaces, a new session, dies with its parent, an empty environment plus an allowlist,
/// a read-only view of /usr and the usual /bin, /lib links, a handful of /etc files the
/// interpreter and TLS need (never /etc as a whole), a private size-capped tmpfs /tmp, a
/// private /dev/shm, minimal /proc and /dev, and a read-only root. The command is wrapped in
/// `prlimit --nproc` so the process cap counts this worker's namespace only; when
/// seccompFd >= 0 the filter is applied to the command with `--seccomp`.
std::vector<std::string> buildBwrapArgv(const SandboxOptions& options, const LaunchSpec& spec,
                                        int seccompFd);

}  // namespace hookhost::sandbox
