#include "jobs/live_output.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace hookhost::jobs {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(LiveOutputTest, AReaderGetsWhatIsKeptThenWaitsForNewLines) {
  LiveOutputs outputs({});
  auto live = outputs.open(7, 1);
  live->append("first");
  auto kept = live->waitFrom(0, Clock::now() + 5s);
  ASSERT_EQ(kept.slice.lines, std::vector<std::string>{"first"});
  EXPECT_FALSE(kept.closed);

  std::thread writer([&] { live->append("second"); });
  auto next = live->waitFrom(kept.slice.next, Clock::now() + 5s);  // wakes on the append
  writer.join();
  EXPECT_EQ(next.slice.lines, std::vector<std::string>{"second"});
}

TEST(LiveOutputTest, ClosingWakesReadersAndRemovesTheEntry) {
  LiveOutputs outputs({});
  auto live = outputs.open(7, 1);
  ASSERT_EQ(outputs.find(7), live);
  std::thread closer([&] { outputs.close(7, live); });
  auto read = live->waitFrom(0, Clock::now() + 5s);
  closer.join();
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(outputs.find(7), nullptr);
  EXPECT_EQ(outputs.running(), 0u);
}

TEST(LiveOutputTest, AnOlderAttemptClosingLeavesTheNewerOne) {
  LiveOutputs outputs({});
  auto first = outputs.open(7, 1);
  auto second = outputs.open(7, 2);
  outputs.close(7, first);
  EXPECT_EQ(outputs.find(7), second);
}

TEST(LiveOutputTest, AWaitEndsAtItsDeadlineWithNothing) {
  LiveOutputs outputs({});
  auto live = outputs.open(7, 1);
  auto read = live->waitFrom(0, Clock::now() + 20ms);
  EXPECT_TRUE(read.slice.lines.empty());
  EXPECT_FALSE(read.closed);
  EXPECT_EQ(outputs.waitForNews(8, Clock::now() + 20ms), nullptr);
}

TEST(LiveOutputTest, NewsOfAnOpeningWakesAWaiter) {
  LiveOutputs outputs({});
  std::thread opener([&] { outputs.open(9, 1); });
  std::shared_ptr<LiveOutput> found;
  for (int i = 0; i < 100 && !found; ++i) found = outputs.waitForNews(9, Clock::now() + 5s);
  opener.join();
  EXPECT_NE(found, nullptr);
}

TEST(LiveOutputTest, FollowersAreCappedAndTheirSlotsReturn) {
  LiveOutputOptions options;
  options.maxFollowers = 2;
  LiveOutputs outputs(options);
  auto one = outputs.admitFollower();
  auto two = outputs.admitFollower();
  ASSERT_TRUE(one && two);
  EXPECT_FALSE(outputs.admitFollower());
  EXPECT_EQ(outputs.followers(), 2u);
  one.reset();
  EXPECT_EQ(outputs.followers(), 1u);
  EXPECT_TRUE(outputs.admitFollower());  // taken and released at once
  EXPECT_EQ(outputs.followers(), 1u);
}

TEST(LiveOutputTest, ItsTextIsBounded) {
  LiveOutputOptions options;
  options.maxBytes = 100;
  LiveOutputs outputs(options);
  auto live = outputs.open(1, 1);
  for (int i = 0; i < 10000; ++i) live->append(std::string(50, 'y'));
  EXPECT_LE(live->text().size(), 100 + OutputTail::cutMarker(10000ull * 51).size());
}

}  // namespace
}  // namespace hookhost::jobs
