#include "sandbox/src/runtime_files.hpp"

#include <unistd.h>

#include <string>
#include <system_error>

#include "common/file_copy.hpp"

namespace hookhost::sandbox {
namespace {

namespace fs = std::filesystem;

Error copyError(const fs::path& from, const fs::path& to, const std::error_code& ec) {
  return makeError(ErrorKind::Internal, "sandbox_files",
                   "cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
}

// Only the runner's own top-level files: nothing else of the tree (caches, editor backups in
// subfolders) reaches the sandbox.
Status copyRunner(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directory(to, ec);
  if (!ec) fs::permissions(to, fs::perms(0755), ec);
  if (ec) return copyError(from, to, ec);
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
    if (auto failed = copyFileCheaply(entry.path(), to / entry.path().filename(), 0644)) {
      return copyError(entry.path(), to, failed);
    }
  }
  if (ec) return copyError(from, to, ec);
  return Ok{};
}

}  // namespace

fs::path runtimeFilesBase() {
  return ::geteuid() == 0 ? fs::path("/run/hookhost") : fs::temp_directory_path();
}

Result<RuntimeFiles> RuntimeFiles::create(const RuntimeSources& sources, const SandboxIdentity& identity) {
  const auto access = identity.switchUser ? DirectoryAccess::OthersMayRead : DirectoryAccess::OwnerOnly;
  const bool root = ::geteuid() == 0;
  auto claimed = ClaimedDirectory::claim(runtimeFilesBase(), root ? "sandbox-" : "hookhost-sandbox-", access);
  // A root host without a writable /run (some containers) uses the temp dir like the others.
  if (!claimed && root) claimed = ClaimedDirectory::claim(fs::temp_directory_path(), "hookhost-sandbox-", access);
  if (!claimed) return claimed.error();
  if (identity.switchUser && !reachableByOthers(claimed->path())) {
    return makeError(ErrorKind::Internal, "sandbox_files",
                     "the sandbox's files in " + claimed->path().string() + " are not reachable by user '" +
                         identity.name + "' (a parent directory is not searchable by others)");
  }
  RuntimeFiles files(std::move(*claimed));
  if (auto copied = copyRunner(sources.runnerDir, files.runnerDir()); !copied) return copied.error();
  std::error_code ec;
  if (fs::exists(sources.pluginWorker, ec)) {
    if (auto failed = copyFileCheaply(sources.pluginWorker, files.pluginWorker(), 0755)) {
      return copyError(sources.pluginWorker, files.pluginWorker(), failed);
    }
  }
  return files;
}

}  // namespace hookhost::sandbox
