#include "common/claimed_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace hookhost {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".claimed";

Error claimError(const fs::path& where, const std::string& why) {
  return makeError(ErrorKind::Internal, "claim_failed", "cannot claim a directory in " + where.string() + ": " + why);
}

Status checkBase(const fs::path& base, DirectoryAccess access) {
  std::error_code ec;
  fs::create_directories(base, ec);
  if (ec) return claimError(base, ec.message());
  struct stat info{};
  if (::lstat(base.c_str(), &info) != 0) return claimError(base, std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) return claimError(base, "not a directory (or a symlink)");
  if (info.st_uid != ::geteuid() && (info.st_mode & S_ISVTX) == 0) {
    return claimError(base, "owned by another user and not sticky");
  }
  // A base we created just now, or our own, gets the mode the access asks for; a shared
  // sticky one (/tmp) is left alone.
  if (info.st_uid == ::geteuid() && (info.st_mode & S_ISVTX) == 0 && access == DirectoryAccess::OthersMayRead &&
      (info.st_mode & 0005) != 0005) {
    ::chmod(base.c_str(), (info.st_mode & 07777) | 0005);
  }
  return Ok{};
}

// A sibling is stale when it is ours, was fully claimed, and nobody holds its lock.
bool removeIfStale(const fs::path& candidate) {
  struct stat info{};
  if (::lstat(candidate.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) return false;
  int fd = ::open(candidate.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool stale = ::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::faccessat(fd, kMarker, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  if (stale) {
    std::error_code ec;
    fs::remove_all(candidate, ec);
    stale = !ec;
  }
  ::close(fd);
  return stale;
}

int sweep(const fs::path& base, const std::string& prefix) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0) continue;
    if (removeIfStale(entry.path())) ++removed;
  }
  return removed;
}

}  // namespace

Result<ClaimedDirectory> ClaimedDirectory::claim(const fs::path& base, const std::string& prefix,
                                                 DirectoryAccess access) {
  if (auto checked = checkBase(base, access); !checked) return checked.error();
  int swept = sweep(base, prefix);

  std::string pattern = (base / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) return claimError(base, std::string("mkdtemp: ") + std::strerror(errno));
  fs::path path = pattern;
  // Until the marker exists a sweep leaves the directory alone; a failure below removes it.
  auto fail = [&](const char* what) {
    std::string why = std::string(what) + ": " + std::strerror(errno);
    std::error_code ec;
    fs::remove_all(path, ec);
    return claimError(base, why);
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail("open");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail("flock");
  }
  int marker = ::openat(fd, kMarker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (marker < 0 || ::fchmod(fd, access == DirectoryAccess::OthersMayRead ? 0755 : 0700) != 0) {
    if (marker >= 0) ::close(marker);
    ::close(fd);
    return fail("marking it claimed");
  }
  ::close(marker);
  return ClaimedDirectory(std::move(path), fd, swept);
}

ClaimedDirectory::ClaimedDirectory(ClaimedDirectory&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), swept_(other.swept_) {
  other.fd_ = -1;
  other.path_.clear();
}

ClaimedDirectory& ClaimedDirectory::operator=(ClaimedDirectory&& other) noexcept {
  if (this == &other) return *this;
  release();
  path_ = std::move(other.path_);
  fd_ = other.fd_;
  swept_ = other.swept_;
  other.fd_ = -1;
  other.path_.clear();
  return *this;
}

ClaimedDirectory::~ClaimedDirectory() { release(); }

void ClaimedDirectory::release() {
  if (fd_ < 0) return;
  // Removed while still locked, so no sweep of another process races the removal.
  std::error_code ec;
  fs::remove_all(path_, ec);
  ::close(fd_);
  fd_ = -1;
}

bool reachableByOthers(const fs::path& dir) {
  std::error_code ec;
  fs::path absolute = fs::absolute(dir, ec);
  if (ec) return false;
  for (fs::path at = absolute; !at.empty(); at = at.parent_path()) {
    auto status = fs::status(at, ec);
    if (!ec && fs::exists(status) && (status.permissions() & fs::perms::others_exec) == fs::perms::none) {
      return false;
    }
    if (at == at.root_path()) break;
  }
  return true;
}

}  // namespace hookhost
