#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost::sandbox {

enum class NetworkAccess { Denied, Allowed };

/// Limits and knobs of the sandbox and its worker pool. Plain values; copy freely.
/// The config keys (DESIGN.md, "Configuration") map one to one: `sandbox.python` → python,
/// `sandbox.user` → user, `sandbox.network` → network, `sandbox.memory_mb` → memoryMb, ...
struct SandboxOptions {
  std::string python = "/usr/bin/python3";
  /// Unprivileged account the workers run as. Empty means: `nobody` when the host runs as
  /// root, else the host's own user (an unprivileged host cannot switch users).
  std::string user;
  NetworkAccess network = NetworkAccess::Denied;
  std::size_t memoryMb = 1024;  // RLIMIT_AS per process
  unsigned cpuSeconds = 60;     // RLIMIT_CPU per run (the runner re-arms it per job)
  unsigned maxProcs = 64;       // RLIMIT_NPROC inside one worker's user namespace
  std::size_t maxFileMb = 256;  // RLIMIT_FSIZE
  unsigned maxOpenFiles = 256;  // RLIMIT_NOFILE
  std::size_t tmpMb = 256;      // size of each worker's private /tmp (tmpfs)
  std::size_t outputCapBytes = 1u << 20;     // stdout/stderr/log kept per job: the last bytes
  std::size_t maxFrameBytes = 32u << 20;     // largest protocol frame accepted from a worker
  std::chrono::milliseconds defaultTimeout{60'000};
  std::chrono::milliseconds idleTimeout{300'000};  // idle workers older than this are reaped
  unsigned maxWorkers = 16;        // all workers, busy or idle, across keys
  unsigned maxWorkersPerKey = 4;   // per pool key (one handler version of one user)
  // A worker is replaced after this many runs, and at once after a failure or timeout. Each
  // replacement forks the host and starts a sandbox (a Python one imports dill): at 1,000
  // that cost python bursts 25-40 % of their throughput. Memory is bounded by memory_mb.
  unsigned recycleAfterRuns = 10000;
  std::string bwrap = "/usr/bin/bwrap";
};

/// Reads the `sandbox` section of the config (keys without the `sandbox.` prefix: "python",
/// "user", "network", "memory_mb", "cpu_s", "max_procs", "max_file_mb", "max_open_files",
/// "tmp_mb", "output_max_bytes" (or its old name "output_cap_bytes"), "max_frame_bytes", "default_timeout_s", "idle_timeout_s",
/// "max_workers", "max_workers_per_key", "recycle_after_runs", "bwrap"). Missing keys keep
/// their defaults; a wrong type or a non-positive limit is a BadRequest error naming the key.
/// Durations may be numbers of seconds or duration strings ("30s").
Result<SandboxOptions> sandboxOptionsFromJson(const nlohmann::json& section);

/// The uid/gid workers run as, resolved from SandboxOptions::user (see there).
struct SandboxIdentity {
  unsigned uid = 0;
  unsigned gid = 0;
  std::string name;
  bool switchUser = false;  // true when the host is root and must drop to uid/gid
};

/// Looks the user up (getpwnam). Errors: NotFound for an unknown user, BadRequest when a
/// non-root host is asked to run workers as another user, or when root is asked to run
/// workers as root.
Result<SandboxIdentity> resolveSandboxIdentity(const SandboxOptions& options);

}  // namespace hookhost::sandbox
