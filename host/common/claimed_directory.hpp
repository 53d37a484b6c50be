#pragma once

#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace hookhost {

/// Who may read a ClaimedDirectory besides its owner.
enum class DirectoryAccess { OwnerOnly, OthersMayRead };

/// A directory this process owns below a base several processes may share:
/// `<base>/<prefix>XXXXXX`, held by an flock(2) on it for as long as the object lives, and
/// removed with its contents when the object is destroyed.
///
/// Claiming first sweeps away every `<prefix>*` sibling of this euid whose lock is free: its
/// owner died without removing it (kill -9, a crash, an _exit past destructors). The kernel
/// drops a dead process's locks, so a live owner's directory is never taken, whatever pids
/// were reused, and several processes may claim below one base at once. A directory counts
/// as claimed only once its owner holds the lock (a `.claimed` marker inside says so), so a
/// sweep never races a claim in progress. Movable; not thread-safe.
class ClaimedDirectory {
 public:
  /// Creates `base` if missing (mode 0755 for OthersMayRead, else 0700). Errors: the base
  /// cannot be created, is a symlink, or is neither ours nor sticky (another user could
  /// swap what we create); the directory cannot be made or locked.
  static Result<ClaimedDirectory> claim(const std::filesystem::path& base, const std::string& prefix,
                                        DirectoryAccess access);

  ClaimedDirectory(ClaimedDirectory&& other) noexcept;
  ClaimedDirectory& operator=(ClaimedDirectory&& other) noexcept;
  ClaimedDirectory(const ClaimedDirectory&) = delete;
  ClaimedDirectory& operator=(const ClaimedDirectory&) = delete;
  ~ClaimedDirectory();

  const std::filesystem::path& path() const { return path_; }
  /// How many stale directories the claim removed.
  int swept() const { return swept_; }

 private:
  ClaimedDirectory(std::filesystem::path path, int fd, int swept) : path_(std::move(path)), fd_(fd), swept_(swept) {}
  void release();

  std::filesystem::path path_;
  int fd_ = -1;
  int swept_ = 0;
};

/// Whether a user other than the owner can reach files in `dir`: every existing ancestor
/// must be searchable by others (a directory under /root or a 0700 temp dir is not).
bool reachableByOthers(const std::filesystem::path& dir);

}  // namespace hookhost
