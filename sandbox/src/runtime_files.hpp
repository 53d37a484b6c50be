#pragma once

#include <filesystem>

#include "common/claimed_directory.hpp"
#include "common/result.hpp"
#include "sandbox/src/sandbox_options.hpp"

namespace hookhost::sandbox {

/// Where the host's files for sandboxes come from: the install or build tree.
struct RuntimeSources {
  std::filesystem::path runnerDir;     // holds hookhost_runner.py (pythonRunnerDir)
  std::filesystem::path pluginWorker;  // the hookhost-plugin-worker binary
};

/// The files sandboxes bind, copied out of the install or build tree into a directory of this
/// host's own. bwrap runs as the sandbox user and binds by path, so each path must be
/// reachable by that user; a tree under a 0700 home (/root/hookhost) is not. A root host
/// copies to `/run/hookhost/sandbox-XXXXXX` (root-owned, 0755, on tmpfs), any other host to
/// `<temp dir>/hookhost-sandbox-XXXXXX` (its workers run as itself). The directory is removed
/// when this object is destroyed, and a dead host's by the next start (ClaimedDirectory), so
/// several hosts on one machine each have their own and none piles up. Not thread-safe to
/// create; the paths are immutable afterwards.
class RuntimeFiles {
 public:
  /// Errors: the directory cannot be made or is not reachable by `identity`'s user, or a
  /// source file cannot be copied. A missing plugin worker is no error (a build without it
  /// fails plugin jobs at spawn, as before).
  static Result<RuntimeFiles> create(const RuntimeSources& sources, const SandboxIdentity& identity);

  /// The copy of the runner's folder, for PythonExecutor.
  std::filesystem::path runnerDir() const { return dir_.path() / "python"; }
  /// The copy of the plugin worker, for the plugin executor.
  std::filesystem::path pluginWorker() const { return dir_.path() / "hookhost-plugin-worker"; }
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  explicit RuntimeFiles(ClaimedDirectory dir) : dir_(std::move(dir)) {}
  ClaimedDirectory dir_;
};

/// `/run/hookhost` for a root host (the temp dir when /run is not writable), else the system
/// temp dir.
std::filesystem::path runtimeFilesBase();

}  // namespace hookhost::sandbox
