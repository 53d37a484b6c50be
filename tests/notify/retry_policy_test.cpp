#include "notify/retry_policy.hpp"

#include <gtest/gtest.h>

namespace hookhost::notify {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicy, BackoffGrowsWithJitterWithinMinAndMax) {
  RetryPolicy policy(RetrySettings{30s, 1h, 120h}, 42);
  for (int trial = 0; trial < 200; ++trial) {
    auto first = policy.backoff(1);
    EXPECT_GE(first, 30s);
    EXPECT_LE(first, 37500ms);
    auto third = policy.backoff(3);  // about 120 s
    EXPECT_GE(third, 90s);
    EXPECT_LE(third, 150s);
    auto late = policy.backoff(40);
    EXPECT_GE(late, 45min);
    EXPECT_LE(late, 1h);
  }
}

TEST(RetryPolicy, JitterSpreadsTheWaits) {
  RetryPolicy policy(RetrySettings{10s, 1h, 120h}, 7);
  std::set<long long> seen;
  for (int i = 0; i < 20; ++i) seen.insert(policy.backoff(4).count());
  EXPECT_GT(seen.size(), 10u);
}

TEST(RetryPolicy, RetriesUntilTheWindowEndsThenGivesUp) {
  RetryPolicy policy(RetrySettings{30s, 1h, 120h}, 1);
  const Micros created = 1'000'000'000'000'000;
  const Micros day = 86'400'000'000LL;

  RetryDecision early = policy.afterTemporaryFailure(created, 1, created + 1'000'000, "451 busy");
  EXPECT_EQ(early.kind, RetryDecision::Kind::RetryAt);
  EXPECT_GE(early.nextAttemptAt, created + 1'000'000 + 30'000'000);

  // Close to the end: the last attempt is placed exactly at the end of the window.
  RetryDecision last = policy.afterTemporaryFailure(created, 90, created + 5 * day - 1'000'000,
                                                    "451 busy");
  EXPECT_EQ(last.kind, RetryDecision::Kind::RetryAt);
  EXPECT_EQ(last.nextAttemptAt, created + 5 * day);

  RetryDecision done = policy.afterTemporaryFailure(created, 91, created + 5 * day, "451 busy");
  EXPECT_EQ(done.kind, RetryDecision::Kind::GiveUp);
  EXPECT_EQ(done.error, "gave up after 5d: 451 busy");
}

TEST(FormatDuration, UsesTheConfigSpelling) {
  EXPECT_EQ(formatDuration(5 * 24h), "5d");
  EXPECT_EQ(formatDuration(30s), "30s");
  EXPECT_EQ(formatDuration(500ms), "500ms");
  EXPECT_EQ(formatDuration(90min), "1h30m");
  EXPECT_EQ(formatDuration(0ms), "0s");
}

}  // namespace
}  // namespace hookhost::notify
