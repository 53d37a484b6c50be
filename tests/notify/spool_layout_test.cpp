// The spool's shards and their pruning (issue 18, "The store grows forever").
#include "notify/spool_layout.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include <sys/time.h>

#include "smtp_sink.hpp"

namespace hookhost::notify {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr Micros kMinute = 60'000'000;
// 2026-12-01 13:42:00 UTC
constexpr Micros kAt = 1'796'132'520'000'000;

fs::path writeFile(const fs::path& path, Micros modified) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "Subject: x\r\n\r\nbody\r\n";
  struct timeval times[2];
  for (auto& time : times) time = {static_cast<time_t>(modified / 1'000'000), static_cast<suseconds_t>(modified % 1'000'000)};
  EXPECT_EQ(::utimes(path.c_str(), times), 0);
  return path;
}

TEST(SpoolLayout, ShardsByTheUtcMinuteTheNotificationWasCreated) {
  EXPECT_EQ(spoolPathFor("/var/mail", 42, kAt + 59'999'999), fs::path("/var/mail/2026-12-01/13-42/42.eml"));
  EXPECT_EQ(spoolPathFor("/var/mail", 43, kAt + kMinute), fs::path("/var/mail/2026-12-01/13-43/43.eml"));
}

TEST(SpoolLayout, PruningRemovesOldMinutesWholeAndTheBoundaryMinuteByFileAge) {
  TempDir dir;
  fs::path spool = dir.path();
  Micros cutoff = kAt + 30'000'000;  // 13:42:30
  auto yesterday = writeFile(spoolPathFor(spool, 1, kAt - 24 * 60 * kMinute), kAt);  // rewritten late: the shard decides
  auto ended = writeFile(spoolPathFor(spool, 2, kAt - kMinute), kAt - kMinute);
  auto boundaryOld = writeFile(spoolPathFor(spool, 3, kAt), kAt + 10'000'000);
  auto boundaryNew = writeFile(spoolPathFor(spool, 4, kAt), kAt + 40'000'000);
  auto later = writeFile(spoolPathFor(spool, 5, kAt + kMinute), kAt - 24 * 60 * kMinute);  // its shard is newer
  auto flatOld = writeFile(spool / "6.eml", kAt - kMinute);
  auto flatNew = writeFile(spool / "7.eml", kAt + kMinute);
  auto temp = writeFile(ended.parent_path() / ".8.eml.tmp.1.1", kAt - kMinute);
  auto other = writeFile(spool / "README", kAt - 24 * 60 * kMinute);

  EXPECT_EQ(pruneSpool(spool, cutoff), 4) << "mail files 1, 2, 3 and 6";
  for (const auto& gone : {yesterday, ended, boundaryOld, flatOld, temp}) EXPECT_FALSE(fs::exists(gone)) << gone;
  for (const auto& kept : {boundaryNew, later, flatNew, other}) EXPECT_TRUE(fs::exists(kept)) << kept;
  // Shards left empty go; the one still holding mail stays.
  EXPECT_FALSE(fs::exists(yesterday.parent_path().parent_path())) << "yesterday's day directory";
  EXPECT_FALSE(fs::exists(ended.parent_path()));
  EXPECT_TRUE(fs::exists(boundaryNew.parent_path()));

  EXPECT_EQ(pruneSpool(spool, cutoff), 0) << "a second pass finds nothing more";
  EXPECT_EQ(pruneSpool(spool / "missing", cutoff), 0);
}

}  // namespace
}  // namespace hookhost::notify
