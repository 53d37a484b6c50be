#include "plugins/library_copy.hpp"

#include <atomic>
#include <string>
#include <system_error>

#include "common/file_copy.hpp"

namespace hookhost::plugins {

namespace fs = std::filesystem;

Result<std::unique_ptr<LibraryCopy>> LibraryCopy::make(const fs::path& file, const fs::path& copyDir) {
  static std::atomic<unsigned long> counter{0};
  auto failed = [&](const std::string& why) {
    return makeError(ErrorKind::Unprocessable, "copy_failed", file.string() + ": " + why);
  };
  std::error_code ec;
  fs::create_directories(copyDir, ec);
  for (int tries = 0; tries < 1000; ++tries) {
    fs::path target = copyDir / (file.stem().string() + "." + std::to_string(++counter) + ".so");
    ec = copyFileCheaply(file, target, 0644);
    if (!ec) return std::unique_ptr<LibraryCopy>(new LibraryCopy(target));
    if (ec != std::errc::file_exists) return failed("cannot copy to " + target.string() + ": " + ec.message());
  }
  return failed("no free name in " + copyDir.string());
}

LibraryCopy::~LibraryCopy() {
  std::error_code ec;
  fs::remove(path_, ec);
}

}  // namespace hookhost::plugins
