// GET /v1/stats's aggregate in the store, on SQLite and PostgreSQL (issue 16).
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>

#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

constexpr Micros kMinute = 60'000'000;

class JobStatsStoreTest : public StoreTest {
 protected:
  // Claims every queued job and ends its attempt `how`, as the dispatcher would.
  void finishAll(jobs::Trigger how) {
    for (const auto& job : store_->claimJobs("host-a", 100, 30'000'000)) {
      jobs::AttemptEnd end;
      end.trigger = how;
      end.result = "ok";
      end.error = "it broke";
      lifecycle_->attemptEnded({job.jobId, job.attempt, job.maxAttempts}, end);
    }
  }

  storage::StatsQuery lastHour() {
    storage::StatsQuery query;
    query.until = nowMicros() + kMinute;  // the database's clock may be a little ahead
    query.since = query.until - 61 * kMinute;
    query.bucketMicros = kMinute;
    return query;
  }

  static std::int64_t total(const storage::JobStats& stats, std::int64_t storage::StatsBucket::*count) {
    std::int64_t sum = 0;
    for (const auto& bucket : stats.buckets) sum += bucket.*count;
    return sum;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, JobStatsStoreTest, storeBackends(), backendName);

TEST_P(JobStatsStoreTest, CountsEndedJobsPerBucketWithRunTimes) {
  addHandler("ok", {"ok"});
  addHandler("bad", {"bad"});
  fire({"ok"});
  fire({"ok"});
  finishAll(jobs::Trigger::Completed);
  fire({"bad"});
  finishAll(jobs::Trigger::Failed);
  fire({"ok"});  // still queued
  auto cancelled = fire({"ok"});
  ASSERT_TRUE(lifecycle_->cancel(cancelled.jobs[0].jobId));  // ended, but not an outcome the chart counts

  auto stats = store_->jobStats(lastHour());
  ASSERT_EQ(stats.buckets.size(), 61u);
  EXPECT_EQ(stats.buckets[1].at - stats.buckets[0].at, kMinute);
  EXPECT_EQ(total(stats, &storage::StatsBucket::succeeded), 2);
  EXPECT_EQ(total(stats, &storage::StatsBucket::failed), 1);
  EXPECT_EQ(total(stats, &storage::StatsBucket::timedOut), 0);
  int filled = 0;
  for (const auto& bucket : stats.buckets) {
    const bool any = bucket.succeeded + bucket.failed + bucket.timedOut > 0;
    EXPECT_EQ(bucket.p50Ms.has_value(), any) << "a run time only where jobs ended";
    if (!any) continue;
    ++filled;
    EXPECT_GE(*bucket.p50Ms, 0.0);
    EXPECT_LE(*bucket.p50Ms, *bucket.p95Ms);
  }
  EXPECT_GE(filled, 1);
  EXPECT_EQ(stats.unfinished.at("QUEUED"), 1);
  EXPECT_EQ(stats.unfinished.at("RUNNING"), 0);
  EXPECT_EQ(stats.unfinished.count("SUCCEEDED"), 0u) << "ended jobs are in the buckets, not here";
}

TEST_P(JobStatsStoreTest, FiltersByHookHandlerAndOwner) {
  auto mine = addHandler("mine", {"a"});
  addHandler("other-hook", {"a"}, 1, 0, "staging.new_genebuild");
  fire({"a"});
  fire({"a"}, std::nullopt, "staging.new_genebuild");
  finishAll(jobs::Trigger::Completed);

  auto query = lastHour();
  EXPECT_EQ(total(store_->jobStats(query), &storage::StatsBucket::succeeded), 2);
  query.hook = "staging.new_genebuild";
  EXPECT_EQ(total(store_->jobStats(query), &storage::StatsBucket::succeeded), 1);
  query.hook.reset();
  query.handlerId = mine.id;
  EXPECT_EQ(total(store_->jobStats(query), &storage::StatsBucket::succeeded), 1);
  query.handlerId.reset();
  query.ownerId = alice_.id;
  EXPECT_EQ(total(store_->jobStats(query), &storage::StatsBucket::succeeded), 2);
  auto bob = *store_->createUser("bob", "bob@example.com", storage::Role::User, "bobid", "hash");
  query.ownerId = bob.id;
  auto none = store_->jobStats(query);
  EXPECT_EQ(total(none, &storage::StatsBucket::succeeded), 0) << "another owner's jobs are not counted";
  query.since = nowMicros() - 3 * kMinute;
  query.until = nowMicros() - 2 * kMinute;
  query.ownerId.reset();
  EXPECT_EQ(total(store_->jobStats(query), &storage::StatsBucket::succeeded), 0) << "outside the range";
}

// "Served from an index, not by scanning every job": SQLite's plans for the range query of
// sql_store_stats.cpp, as an admin asks it (every handler) and as a user does (their own).
std::string planOf(Poco::Data::Session& session, const std::string& extra) {
  Poco::Data::Statement plan(session);
  plan << "EXPLAIN QUERY PLAN SELECT j.state, j.started_at, j.finished_at FROM jobs j "
          "JOIN handlers h ON h.id = j.handler_id WHERE j.finished_at >= 1 AND j.finished_at < 2" + extra,
      Poco::Data::Keywords::now;
  Poco::Data::RecordSet rows(plan);
  std::string details;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) details += rows["detail"].convert<std::string>() + "\n";
  return details;
}

TEST(JobStatsIndex, TheRangeIsReadThroughAnIndexNotAScanOfTheJobs) {
  TempDir dir;
  auto store = storage::SqlStore::openSqlite(dir.path() / "hookhost.db");
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session("SQLite", (dir.path() / "hookhost.db").string());
  auto everyone = planOf(session, "");
  EXPECT_NE(everyone.find("jobs_by_finish"), std::string::npos) << everyone;
  for (const auto& details : {everyone, planOf(session, " AND h.owner_id = 3"), planOf(session, " AND j.handler_id = 3")}) {
    EXPECT_EQ(details.find("SCAN j"), std::string::npos) << details;
  }
}

}  // namespace
}  // namespace hookhost::testing
