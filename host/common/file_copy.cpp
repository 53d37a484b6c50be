#include "common/file_copy.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hookhost {
namespace {

std::error_code lastError() { return {errno, std::generic_category()}; }

std::error_code copyContents(int in, int out) {
  if (::ioctl(out, FICLONE, in) == 0) return {};
  struct stat info{};
  if (::fstat(in, &info) != 0) return lastError();
  off_t left = info.st_size;
  // Bounded: each round copies at least one byte or ends; a file that shrinks ends early.
  while (left > 0) {
    ssize_t copied = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (copied < 0 && errno == EINTR) continue;
    if (copied < 0) return lastError();
    if (copied == 0) break;
    left -= copied;
  }
  return {};
}

}  // namespace

std::error_code copyFileCheaply(const std::filesystem::path& from, const std::filesystem::path& to, mode_t mode) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return lastError();
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    auto error = lastError();
    ::close(in);
    return error;
  }
  std::error_code error = copyContents(in, out);
  if (!error && ::fchmod(out, mode) != 0) error = lastError();
  // close() is where a full disk may show on some filesystems.
  if (::close(out) != 0 && !error) error = lastError();
  ::close(in);
  if (error) ::unlink(to.c_str());
  return error;
}

}  // namespace hookhost
