// The retention loop's passes over a scripted pruner (issue 18): batches until the sweep
// ends or the bound, counted in /metrics, the spool pruned too, nothing at all for 0.
#include "dispatch/retention_loop.hpp"

#include <deque>
#include <fstream>

#include <gtest/gtest.h>

#include "host_process.hpp"
#include "notify/spool_layout.hpp"

namespace hookhost::dispatch {
namespace {

using std::chrono::milliseconds;

class ScriptedPruner final : public storage::Pruner {
 public:
  explicit ScriptedPruner(std::deque<storage::PrunedRows> batches) : batches_(std::move(batches)) {}
  storage::PrunedRows pruneBatch(Micros cutoff) override {
    cutoffs.push_back(cutoff);
    if (batches_.empty()) return {};
    auto next = batches_.front();
    batches_.pop_front();
    return next;
  }
  bool givesSpaceBack() override { return true; }
  std::vector<Micros> cutoffs;

 private:
  std::deque<storage::PrunedRows> batches_;
};

storage::PrunedRows batch(std::int64_t jobs, bool more) { return {jobs, jobs * 3, jobs, jobs, more}; }

TEST(RetentionLoop, APassRunsBatchesUntilTheSweepEndsAndCountsThem) {
  ScriptedPruner pruner({batch(100, true), batch(100, true), batch(7, false), batch(50, true)});
  metrics::HostMetrics metrics;
  RetentionLoop loop(pruner, metrics, {std::chrono::hours(1), {}, milliseconds(15'000), milliseconds(0)});
  Micros before = nowMicros();
  EXPECT_EQ(loop.runOnce(), 207);
  ASSERT_EQ(pruner.cutoffs.size(), 3u) << "the pass ends with the sweep";
  EXPECT_GE(pruner.cutoffs[0], before - 3'600'000'000LL);
  EXPECT_LE(pruner.cutoffs[0], nowMicros() - 3'600'000'000LL);
  EXPECT_EQ(metrics.prunedJobs.value(), 207);
  EXPECT_EQ(metrics.prunedEvents.value(), 207);
  EXPECT_EQ(metrics.prunedNotifications.value(), 207);
  EXPECT_NE(metrics.render().find("hookhost_pruned_jobs_total 207\n"), std::string::npos) << metrics.render();
}

TEST(RetentionLoop, APassStopsAtItsBatchBound) {
  std::deque<storage::PrunedRows> endless(10, batch(1, true));
  ScriptedPruner pruner(endless);
  metrics::HostMetrics metrics;
  RetentionLoopOptions options{std::chrono::hours(1), {}, milliseconds(15'000), milliseconds(0), 4};
  RetentionLoop loop(pruner, metrics, options);
  EXPECT_EQ(loop.runOnce(), 4);
  EXPECT_EQ(pruner.cutoffs.size(), 4u);
}

TEST(RetentionLoop, ZeroKeepsEverything) {
  testing::TempDir dir;
  auto old = notify::spoolPathFor(dir.path(), 1, 0);
  std::filesystem::create_directories(old.parent_path());
  std::ofstream(old) << "mail";
  ScriptedPruner pruner({batch(5, false)});
  metrics::HostMetrics metrics;
  RetentionLoop loop(pruner, metrics, {milliseconds(0), dir.path()});
  loop.start();
  EXPECT_EQ(loop.runOnce(), 0);
  loop.stop();
  EXPECT_TRUE(pruner.cutoffs.empty());
  EXPECT_TRUE(std::filesystem::exists(old));
}

TEST(RetentionLoop, TheThreadPrunesTheStoreAndTheSpool) {
  testing::TempDir dir;
  auto old = notify::spoolPathFor(dir.path(), 1, 0);  // 1970: older than any retention
  std::filesystem::create_directories(old.parent_path());
  std::ofstream(old) << "mail";
  ScriptedPruner pruner({batch(2, false)});
  metrics::HostMetrics metrics;
  RetentionLoop loop(pruner, metrics, {milliseconds(200), dir.path()});  // passes every 100 ms
  loop.start();
  EXPECT_TRUE(testing::eventually([&] { return metrics.prunedMailFiles.value() == 1 && metrics.prunedJobs.value() == 2; },
                                  milliseconds(5000)));
  loop.stop();
  EXPECT_FALSE(std::filesystem::exists(old));
}

}  // namespace
}  // namespace hookhost::dispatch
