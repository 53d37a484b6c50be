#pragma once

#include <cstdint>
#include <filesystem>

#include "common/clock.hpp"

namespace hookhost::notify {

/// Where the spool keeps a message: `<dir>/<YYYY-MM-DD>/<HH-MM>/<id>.eml`, under the UTC
/// minute its notification was created. One directory holds one minute of mail (at the
/// host's full rate, about a hundred thousand files), a resend lands on the same path, and
/// retention removes whole minutes without looking at each file.
std::filesystem::path spoolPathFor(const std::filesystem::path& dir, std::int64_t notificationId, Micros createdAt);

/// Removes spooled mail older than `cutoff` (microseconds since the epoch): every file of a
/// minute that ended before it, and in the minute that spans it the files last written
/// before it; then the shard directories left empty. Also files of the flat layout older
/// versions wrote (`<dir>/<id>.eml`) and temp files a crash left behind, by their age.
/// Returns how many .eml files it removed. Errors (a file gone meanwhile, permissions) skip
/// that entry; a missing `dir` is nothing to prune.
std::int64_t pruneSpool(const std::filesystem::path& dir, Micros cutoff);

}  // namespace hookhost::notify
