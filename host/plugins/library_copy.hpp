#pragma once

#include <filesystem>
#include <memory>

#include "common/result.hpp"

namespace hookhost::plugins {

/// One private copy of a plugin library (`<copyDir>/<stem>.<n>.so`), the file a load maps.
/// The file is removed when the copy is destroyed: by then nothing maps it anew (a sandboxed
/// worker binds the copy only while a call holds its LoadedPlugin), and a mapping that exists
/// survives the unlink on Linux, so the library itself stays loaded (STYLE.md: never unload
/// code that may still run). Not copyable.
class LibraryCopy {
 public:
  /// A fresh name per copy; never reuses a path an earlier load may still map. The copy is
  /// readable by others (sandboxed workers run as another user) whatever the original's mode.
  /// Errors: Unprocessable "copy_failed", prefixed with `file`.
  static Result<std::unique_ptr<LibraryCopy>> make(const std::filesystem::path& file,
                                                   const std::filesystem::path& copyDir);

  ~LibraryCopy();
  LibraryCopy(const LibraryCopy&) = delete;
  LibraryCopy& operator=(const LibraryCopy&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit LibraryCopy(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace hookhost::plugins
