#include "common/clock.hpp"

#include <gtest/gtest.h>

namespace hookhost {
namespace {

TEST(Clock, FormatsRfc3339InUtcWithMicroseconds) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(1'604'008'695'092'460), "2020-10-29T21:58:15.092460Z");
}

TEST(Clock, ParsesConfigDurations) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(parseDuration("30s"), milliseconds(30'000));
  EXPECT_EQ(parseDuration("5m"), milliseconds(300'000));
  EXPECT_EQ(parseDuration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parseDuration("5d"), milliseconds(432'000'000));
  EXPECT_EQ(parseDuration("7"), milliseconds(7'000));
  EXPECT_FALSE(parseDuration("5 days"));
  EXPECT_FALSE(parseDuration("-1s"));
  EXPECT_FALSE(parseDuration(""));
}

}  // namespace
}  // namespace hookhost
