#include "notify/spool_layout.hpp"

#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <system_error>

#include <sys/stat.h>

namespace hookhost::notify {
namespace fs = std::filesystem;

namespace {

constexpr Micros kMinute = 60'000'000;
constexpr Micros kDay = 24 * 60 * kMinute;

bool isMail(const fs::path& file) { return file.extension() == ".eml" && file.filename().string()[0] != '.'; }
bool isTemp(const fs::path& file) {
  std::string name = file.filename().string();
  return name[0] == '.' && name.find(".eml.tmp.") != std::string::npos;
}

std::optional<Micros> dayStart(const std::string& name) {
  int year = 0, month = 0, day = 0;
  char tail = 0;
  if (name.size() != 10 || std::sscanf(name.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<Micros>(::timegm(&tm)) * 1'000'000;
}

std::optional<Micros> minuteOffset(const std::string& name) {
  int hour = 0, minute = 0;
  char tail = 0;
  if (name.size() != 5 || std::sscanf(name.c_str(), "%2d-%2d%c", &hour, &minute, &tail) != 2) return std::nullopt;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
  return (hour * 60 + minute) * kMinute;
}

Micros modifiedAt(const fs::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return 0;
  return static_cast<Micros>(info.st_mtim.tv_sec) * 1'000'000 + info.st_mtim.tv_nsec / 1000;
}

// Removes the mail (and temp) files of `dir`: all of them, or those last written before
// `cutoff`. Returns how many were mail.
std::int64_t removeFiles(const fs::path& dir, std::optional<Micros> cutoff) {
  std::int64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& file = entry.path();
    bool mail = isMail(file);
    if (!mail && !isTemp(file)) continue;
    if (cutoff && modifiedAt(file) >= *cutoff) continue;
    std::error_code gone;
    if (fs::remove(file, gone) && mail) ++removed;
  }
  return removed;
}

// Removes `dir` if nothing is left in it.
void removeIfEmpty(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_empty(dir, ec) && !ec) fs::remove(dir, ec);
}

std::int64_t pruneDay(const fs::path& dir, Micros start, Micros cutoff) {
  std::int64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto offset = minuteOffset(entry.path().filename().string());
    if (!offset || !entry.is_directory()) continue;
    Micros minuteStart = start + *offset;
    if (minuteStart >= cutoff) continue;
    bool ended = minuteStart + kMinute <= cutoff;
    removed += removeFiles(entry.path(), ended ? std::nullopt : std::optional<Micros>(cutoff));
    if (ended) removeIfEmpty(entry.path());
  }
  if (start + kDay <= cutoff) removeIfEmpty(dir);
  return removed;
}

}  // namespace

fs::path spoolPathFor(const fs::path& dir, std::int64_t notificationId, Micros createdAt) {
  std::time_t seconds = static_cast<std::time_t>(createdAt / 1'000'000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char day[16], minute[8];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  std::strftime(minute, sizeof minute, "%H-%M", &tm);
  return dir / day / minute / (std::to_string(notificationId) + ".eml");
}

std::int64_t pruneSpool(const fs::path& dir, Micros cutoff) {
  std::int64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) {
      auto start = dayStart(entry.path().filename().string());
      if (start && *start < cutoff) removed += pruneDay(entry.path(), *start, cutoff);
      continue;
    }
    // The flat layout of earlier versions, and temp files: by their own age.
    const fs::path& file = entry.path();
    if ((isMail(file) || isTemp(file)) && modifiedAt(file) < cutoff) {
      std::error_code gone;
      if (fs::remove(file, gone) && isMail(file)) ++removed;
    }
  }
  return removed;
}

}  // namespace hookhost::notify
