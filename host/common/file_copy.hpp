#pragma once

#include <sys/types.h>

#include <filesystem>
#include <system_error>

namespace hookhost {

/// Copies `from` to a new file `to` (never overwrites: std::errc::file_exists if it is there)
/// with permission bits `mode`, using as little new space as the filesystem allows: a reflink
/// (FICLONE, shares the blocks copy-on-write on btrfs, XFS, bcachefs) where it can, else an
/// in-kernel copy_file_range. A failed copy leaves no partial file behind. Returns the error,
/// or an empty error_code.
std::error_code copyFileCheaply(const std::filesystem::path& from, const std::filesystem::path& to, mode_t mode);

}  // namespace hookhost
