// Two stores on one PostgreSQL database, as two hosts see it: what one host's single writer
// guarantees on SQLite must hold across hosts here (issue 7).
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using storage::JobState;

constexpr Micros kThirtySeconds = 30'000'000;

class SharedStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    other_ = storage::SqlStore::openPostgres(postgres_->url());
  }
  void TearDown() override { other_.reset(); }

  std::unique_ptr<storage::SqlStore> other_;  // the second host's store
};

INSTANTIATE_TEST_SUITE_P(Backends, SharedStoreTest, ::testing::Values(Backend::Postgres), backendName);

TEST_P(SharedStoreTest, HostsClaimingAtOnceNeverTakeTheSameJob) {
  addHandler("h");
  constexpr int kJobs = 300;
  for (int i = 0; i < kJobs; ++i) fire();
  std::mutex mutex;
  std::multiset<std::int64_t> claimed;
  auto claimer = [&](storage::SqlStore& store, std::string owner) {
    for (int round = 0; round < kJobs; ++round) {
      auto jobs = store.claimJobs(owner, 4, kThirtySeconds);
      std::lock_guard lock(mutex);
      for (const auto& job : jobs) claimed.insert(job.jobId);
      if (claimed.size() >= kJobs) return;
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(claimer, std::ref(*store_), "host-a");
  threads.emplace_back(claimer, std::ref(*other_), "host-b");
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(claimed.size(), static_cast<std::size_t>(kJobs));
  for (auto id : claimed) EXPECT_EQ(claimed.count(id), 1u) << "job " << id << " claimed twice";
  EXPECT_EQ(store_->countQueued(), 0);
}

TEST_P(SharedStoreTest, OneKeyFiredThroughBothHostsAtOnceIsOneEvent) {
  addHandler("h");
  for (int round = 0; round < 20; ++round) {
    std::string key = "genebuild-" + std::to_string(round);
    storage::NewEvent event;
    event.hook = "staging.new_assembly";
    event.payload = {{"genome", "g"}, {"database", "core"}};
    event.key = key;
    event.createdBy = "ingest";
    storage::FireResult first, second;
    std::thread a([&] { first = *store_->fire(event, 1'000'000); });
    std::thread b([&] { second = *other_->fire(event, 1'000'000); });
    a.join();
    b.join();
    EXPECT_EQ(first.eventId, second.eventId);
    EXPECT_NE(first.duplicate, second.duplicate);
  }
  EXPECT_EQ(store_->countQueued(), 20);
}

// Issue 14: the window is one PENDING job per (handler, key) across hosts, by the partial
// unique index; the host whose insert loses joins the window the other opened.
TEST_P(SharedStoreTest, OneCoalesceKeyFiredThroughBothHostsAtOnceGathersInOnePendingJob) {
  storage::HandlerSpec spec;
  spec.name = "dump";
  spec.hook = "staging.new_assembly";
  spec.runtime = Runtime::Python;
  spec.code = "AAAA";
  spec.timeoutS = 5;
  spec.notifyOnSuccess = "ok@example.com";
  spec.notifyOnFailure = "fail@example.com";
  spec.coalesce = jobs::CoalesceSettings{{"/genome"}, 600, 600, false};
  ASSERT_TRUE(store_->registerHandler(spec, alice_));
  std::set<std::int64_t> windows;
  for (int round = 0; round < 20; ++round) {
    storage::NewEvent event;
    event.hook = "staging.new_assembly";
    event.payload = {{"genome", "g" + std::to_string(round)}, {"database", "core"}};
    event.createdBy = "ingest";
    storage::FireResult first, second;
    std::thread a([&] { first = *store_->fire(event, 1'000'000); });
    std::thread b([&] { second = *other_->fire(event, 1'000'000); });
    a.join();
    b.join();
    ASSERT_EQ(first.jobs.size(), 1u);
    ASSERT_EQ(second.jobs.size(), 1u);
    EXPECT_NE(first.eventId, second.eventId);  // two events...
    EXPECT_EQ(first.jobs[0].jobId, second.jobs[0].jobId) << "round " << round;  // ...one window
    EXPECT_EQ(stateOf(first.jobs[0].jobId), JobState::Pending);
    windows.insert(first.jobs[0].jobId);
  }
  EXPECT_EQ(windows.size(), 20u);  // one per key
  EXPECT_EQ(store_->countQueued(), 0);
}

TEST_P(SharedStoreTest, ANotificationIsHeldByOneHostAtATime) {
  addHandler("h");
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) fire();
  jobs::AttemptEnd done;
  done.trigger = jobs::Trigger::Completed;
  for (const auto& job : store_->claimJobs("h", kJobs, kThirtySeconds)) lifecycle_->attemptEnded({job.jobId, job.attempt}, done);
  std::mutex mutex;
  std::multiset<std::int64_t> held;
  auto notifier = [&](storage::SqlStore& store) {
    for (int round = 0; round < kJobs; ++round) {
      auto due = store.claimDue(nowMicros(), 3, nowMicros() + kThirtySeconds);
      ASSERT_TRUE(due);
      std::lock_guard lock(mutex);
      for (const auto& mail : *due) held.insert(mail.id);
      if (held.size() >= kJobs) return;
    }
  };
  std::thread a(notifier, std::ref(*store_));
  std::thread b(notifier, std::ref(*other_));
  a.join();
  b.join();
  ASSERT_EQ(held.size(), static_cast<std::size_t>(kJobs));
  for (auto id : held) EXPECT_EQ(held.count(id), 1u) << "notification " << id << " held twice";
}

TEST_P(SharedStoreTest, ACancelRacingAnotherHostsClaimNeverBothWin) {
  addHandler("h");
  std::vector<std::int64_t> jobs;
  for (int i = 0; i < 150; ++i) jobs.push_back(fire().jobs[0].jobId);
  std::set<std::int64_t> cancelled, claimed;
  std::thread canceller([&] {
    for (auto id : jobs) {
      if (lifecycle_->cancel(id)) cancelled.insert(id);
    }
  });
  std::thread claimer([&] {
    for (int i = 0; i < 300 && claimed.size() < jobs.size(); ++i) {
      for (const auto& job : other_->claimJobs("host-b", 3, kThirtySeconds)) claimed.insert(job.jobId);
    }
  });
  canceller.join();
  claimer.join();
  for (auto id : jobs) {
    EXPECT_NE(cancelled.count(id) > 0, claimed.count(id) > 0) << "job " << id;
    EXPECT_EQ(stateOf(id), cancelled.count(id) ? JobState::Cancelled : JobState::Running);
  }
}

TEST_P(SharedStoreTest, EachHostSeesTheOthersHeartbeatAndLeavesItsPlugins) {
  store_->heartbeat({"host-a", "http://127.0.0.1:1", {"comtrade_summary"}, 0, 0});
  other_->heartbeat({"host-b", "http://127.0.0.1:2", {"comtrade_summary", "only_b"}, 0, 0});
  auto live = store_->liveHosts(kThirtySeconds);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[1].id, "host-b");
  EXPECT_EQ(live[1].plugins, (std::vector<std::string>{"comtrade_summary", "only_b"}));
  other_->removeHost("host-b");
  EXPECT_EQ(store_->liveHosts(kThirtySeconds).size(), 1u);
  EXPECT_TRUE(store_->liveHosts(-1).empty());  // nobody beat in the future
}

TEST_P(SharedStoreTest, JobsOfAPluginLeftToOthersAreNotClaimed) {
  storage::HandlerSpec spec;
  spec.hook = "staging.new_assembly";
  spec.runtime = Runtime::Plugin;
  spec.timeoutS = 5;
  spec.name = "only-b";
  spec.plugin = "only_b/run";
  store_->registerHandler(spec, alice_);
  spec.name = "everywhere";
  spec.plugin = "comtrade_summary/summary";
  store_->registerHandler(spec, alice_);
  fire();
  auto mine = store_->claimJobs("host-a", 10, kThirtySeconds, {"only_b"});
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].handler.spec.name, "everywhere");
  auto theirs = other_->claimJobs("host-b", 10, kThirtySeconds);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].handler.spec.name, "only-b");
}

}  // namespace
}  // namespace hookhost::testing
