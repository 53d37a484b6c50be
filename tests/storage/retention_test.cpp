// Retention's pruning rules against a real SQLite file and a real PostgreSQL database (issue 18).
#include "storage/retention.hpp"

#include <sqlite3.h>

#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using storage::JobState;

Micros seconds(int count) { return count * 1'000'000LL; }
// Everything recorded so far is older than this.
Micros pastEverything() { return nowMicros() + 1000; }

class RetentionTest : public StoreTest {
 protected:
  storage::SqlPruner& pruner() {
    if (!pruner_) pruner_ = storage::SqlPruner::forStore(*store_);
    return *pruner_;
  }

  /// Runs up to `limit` queued jobs and ends each as `state`, emitting `emitted` from each.
  void finishQueued(JobState state = JobState::Succeeded, std::vector<storage::NewEvent> emitted = {},
                    std::size_t limit = 100) {
    for (const auto& claimed : store_->claimJobs("test-host", limit, seconds(30))) {
      jobs::AttemptEnd end;
      end.trigger = state == JobState::Succeeded ? jobs::Trigger::Completed : jobs::Trigger::Failed;
      end.emitted = emitted;
      ASSERT_EQ(lifecycle_->attemptEnded({claimed.jobId, claimed.attempt, claimed.maxAttempts}, end),
                storage::CompletionOutcome::Applied);
    }
  }

  /// Sends every pending notification.
  void settleMail() {
    auto due = store_->claimDue(nowMicros(), 1000, nowMicros() + seconds(60));
    ASSERT_TRUE(due);
    for (const auto& mail : *due) ASSERT_TRUE(store_->markSent(mail.id, mail.sendAttempts, nowMicros()));
  }

  /// Batches until the sweep ends (bounded), summed.
  storage::PrunedRows pruneAll(Micros cutoff) {
    storage::PrunedRows total;
    for (int batch = 0; batch < 100; ++batch) {
      auto pruned = pruner().pruneBatch(cutoff);
      total.jobs += pruned.jobs;
      total.history += pruned.history;
      total.events += pruned.events;
      total.notifications += pruned.notifications;
      if (!pruned.more) return total;
    }
    ADD_FAILURE() << "the sweep did not end within 100 batches";
    return total;
  }

  std::unique_ptr<storage::SqlPruner> pruner_;
};

INSTANTIATE_TEST_SUITE_P(Backends, RetentionTest, storeBackends(), backendName);

TEST_P(RetentionTest, PrunesAFinishedJobWithItsHistoryEventAndSentMail) {
  addHandler("h");
  auto fired = fire();
  auto unmatched = fire({}, std::nullopt, "staging.new_xrefs");  // an event no handler took
  finishQueued();
  settleMail();
  auto jobId = fired.jobs[0].jobId;
  auto historyRows = static_cast<std::int64_t>(store_->getJob(jobId)->history.size());

  auto pruned = pruneAll(pastEverything());
  EXPECT_EQ(pruned.jobs, 1);
  EXPECT_EQ(pruned.events, 2);
  EXPECT_EQ(pruned.notifications, 1);
  EXPECT_EQ(pruned.history, historyRows);  // CREATE, RUN, FINISH, NOTIFY
  EXPECT_FALSE(store_->getJob(jobId));
  EXPECT_FALSE(store_->getEvent(fired.eventId));
  EXPECT_FALSE(store_->getEvent(unmatched.eventId));
  EXPECT_EQ(pruneAll(pastEverything()).events, 0) << "nothing is left to prune";
}

TEST_P(RetentionTest, KeepsWhatIsNewerThanTheCutoff) {
  addHandler("h");
  Micros before = nowMicros() - 1000;
  auto fired = fire();
  finishQueued(JobState::Failed);
  settleMail();
  auto pruned = pruneAll(before);
  EXPECT_EQ(pruned.jobs + pruned.events + pruned.notifications + pruned.history, 0);
  EXPECT_TRUE(store_->getJob(fired.jobs[0].jobId));
}

TEST_P(RetentionTest, NeverPrunesAQueuedRunningOrWaitingJob) {
  addHandler("h");
  auto waiting = fire();
  auto claimed = store_->claimJobs("test-host", 1, seconds(30));
  ASSERT_EQ(claimed.size(), 1u);
  jobs::AttemptEnd defer;
  defer.trigger = jobs::Trigger::Deferred;
  defer.tokenHash = "token";
  defer.deadlineAfter = seconds(3600);
  ASSERT_EQ(lifecycle_->attemptEnded({claimed[0].jobId, claimed[0].attempt}, defer), storage::CompletionOutcome::Applied);
  auto running = fire();
  ASSERT_EQ(store_->claimJobs("test-host", 1, seconds(30)).size(), 1u);
  auto queued = fire();

  auto pruned = pruneAll(nowMicros() + seconds(3600));
  EXPECT_EQ(pruned.jobs + pruned.events, 0);
  EXPECT_EQ(stateOf(waiting.jobs[0].jobId), JobState::Waiting);
  EXPECT_EQ(stateOf(running.jobs[0].jobId), JobState::Running);
  EXPECT_EQ(stateOf(queued.jobs[0].jobId), JobState::Queued);
}

TEST_P(RetentionTest, KeepsAFinishedJobUntilItsMailIsSettled) {
  addHandler("h");
  auto fired = fire();
  finishQueued();
  EXPECT_EQ(pruneAll(pastEverything()).jobs, 0) << "the success mail is still pending";
  EXPECT_TRUE(store_->getJob(fired.jobs[0].jobId));
  settleMail();
  EXPECT_EQ(pruneAll(pastEverything()).jobs, 1);
}

TEST_P(RetentionTest, KeepsEveryJobOfAChainUntilTheWholeChainHasFinished) {
  addHandler("parent");
  addHandler("sibling");
  addHandler("child", {}, 1, 0, "staging.new_xrefs");
  auto root = fire();
  ASSERT_EQ(root.jobs.size(), 2u);
  storage::NewEvent emitted;
  emitted.hook = "staging.new_xrefs";
  emitted.createdBy = "parent";
  emitted.depth = 1;
  // The parent's job ends emitting an event whose child job is queued; its sibling's job
  // ends without: it is still kept while the chain runs.
  finishQueued(JobState::Succeeded, {emitted}, 1);
  finishQueued(JobState::Succeeded, {}, 1);
  settleMail();
  auto chainKept = [&] {
    for (const auto& job : root.jobs) EXPECT_TRUE(store_->getJob(job.jobId)) << "job " << job.jobId;
    EXPECT_TRUE(store_->getEvent(root.eventId));
  };
  EXPECT_EQ(pruneAll(pastEverything()).jobs, 0) << "the child job is queued";
  chainKept();
  auto child = store_->claimJobs("test-host", 1, seconds(30));
  ASSERT_EQ(child.size(), 1u);
  EXPECT_EQ(pruneAll(pastEverything()).jobs, 0) << "the child job runs";
  chainKept();

  jobs::AttemptEnd done;
  done.trigger = jobs::Trigger::Completed;
  ASSERT_EQ(lifecycle_->attemptEnded({child[0].jobId, child[0].attempt}, done), storage::CompletionOutcome::Applied);
  settleMail();
  auto pruned = pruneAll(pastEverything());
  EXPECT_EQ(pruned.jobs, 3);
  EXPECT_EQ(pruned.events, 2);
  EXPECT_EQ(pruned.notifications, 3);
  EXPECT_FALSE(store_->getJob(child[0].jobId));
  EXPECT_FALSE(store_->getEvent(root.eventId));
}

TEST_P(RetentionTest, PrunesInBoundedBatchesUntilTheSweepEnds) {
  const int events = storage::SqlPruner::kWindow * 2 + 50;
  for (int i = 0; i < events; ++i) fire({}, std::nullopt, "staging.new_xrefs");
  Micros cutoff = pastEverything();
  auto first = pruner().pruneBatch(cutoff);
  EXPECT_EQ(first.events, storage::SqlPruner::kWindow);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(pruneAll(cutoff).events, events - storage::SqlPruner::kWindow);
}

TEST_P(RetentionTest, ANewStoreGivesSpaceBack) {
  EXPECT_TRUE(pruner().givesSpaceBack());
}

std::int64_t pageCount(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &statement, nullptr);
  std::int64_t pages = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return pages;
}

TEST_P(RetentionTest, OnSqliteThePrunedPagesGoBackToTheFileSystem) {
  if (GetParam() != Backend::Sqlite) GTEST_SKIP() << "PostgreSQL gives space back through autovacuum";
  storage::NewEvent big;
  big.hook = "staging.new_xrefs";
  big.payload = {{"blob", std::string(20'000, 'x')}};
  big.createdBy = "ingest";
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(store_->fire(big, 1'000'000));
  auto file = dir_.path() / "hookhost.db";
  std::int64_t full = pageCount(file);
  EXPECT_EQ(pruneAll(pastEverything()).events, 200);
  std::int64_t after = pageCount(file);
  EXPECT_LT(after, full / 2) << "from " << full << " pages";
}

TEST(RetentionOfAnOlderFile, ReusesSpaceInsteadOfGivingItBack) {
  TempDir dir;
  auto file = dir.path() / "hookhost.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  // A file made by an earlier version: WAL and tables, no auto_vacuum.
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE earlier (x INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = storage::SqlStore::openSqlite(file);
  EXPECT_FALSE(storage::SqlPruner::forStore(*store)->givesSpaceBack());
}

}  // namespace
}  // namespace hookhost::testing
