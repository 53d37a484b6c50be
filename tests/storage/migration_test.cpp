// Migration 11 (issue 17: partial indexes, fillfactor) on a database an older hookhost
// filled, on SQLite and PostgreSQL: every job and notification is still found by what reads
// it; and the queries of unfinished work are served by the narrowed indexes.
#include "storage/migrations.hpp"

#include <map>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>

#include "outbox/notification.hpp"
#include "storage/retention.hpp"
#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using Poco::Data::Keywords::now;
using storage::JobState;

// The schema before migration 11.
constexpr int kBeforePartialIndexes = 10;
constexpr Micros kHour = 3'600'000'000LL;

// A database of one backend, migrated only as far as an older hookhost would have.
class OlderDatabase {
 public:
  OlderDatabase(Backend backend, const std::filesystem::path& sqliteFile) : backend_(backend), file_(sqliteFile) {
    if (backend == Backend::Postgres) postgres_.emplace();
    storage::migrateTo(session(), kBeforePartialIndexes);
  }

  Poco::Data::Session& session() {
    if (session_) return *session_;
    if (backend_ == Backend::Sqlite) {
      Poco::Data::SQLite::Connector::registerConnector();
      session_.emplace("SQLite", file_.string());
    } else {
      Poco::Data::PostgreSQL::Connector::registerConnector();
      session_.emplace("PostgreSQL", postgres_->connectionString());
    }
    return *session_;
  }
  void run(const std::string& sql) { session() << sql, now; }
  /// Closes this connection; the store opened next migrates the database.
  std::unique_ptr<storage::SqlStore> openStore() {
    session_.reset();
    return backend_ == Backend::Sqlite ? storage::SqlStore::openSqlite(file_) : storage::SqlStore::openPostgres(postgres_->url());
  }
  int version() {
    Poco::Data::Statement select(session());
    select << "SELECT version FROM schema_version", now;
    return Poco::Data::RecordSet(select).value(0, 0).convert<int>();
  }

 private:
  Backend backend_;
  std::filesystem::path file_;
  std::optional<PostgresDatabase> postgres_;
  std::optional<Poco::Data::Session> session_;
};

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class MigrationTest : public ::testing::TestWithParam<Backend> {
 protected:
  MigrationTest() : database_(GetParam(), dir_.path() / "hookhost.db") {}

  // One user, one handler; ids are 1, 2, … in order on both databases.
  void addHandler() {
    database_.run("INSERT INTO users (name, email, role, key_id, key_hash, created_at) "
                  "VALUES ('alice', 'alice@example.com', 'user', 'aliceid', 'hash', " + at(0) + ")");
    database_.run("INSERT INTO handlers (name, hook, version, runtime, notify_on_success, notify_on_failure, tags, "
                  "timeout_s, max_attempts, max_concurrency, owner_id, created_at, created_by, updated_at, updated_by) "
                  "VALUES ('h', 'staging.new_assembly', 1, 'python', 'ok@example.com', 'fail@example.com', '[]', "
                  "5, 2, 0, 1, " + at(0) + ", 'alice', " + at(0) + ", 'alice')");
    database_.run("INSERT INTO handler_versions (handler_id, version, runtime, code, plugin, config, timeout_s, "
                  "max_attempts, created_at) VALUES (1, 1, 'python', 'AAAA', '', '{}', 5, 2, " + at(0) + ")");
  }

  // An event and its one job in `state`; the rest of the row as `columns` / `values` say.
  void addJob(const std::string& state, Micros createdAt, const std::string& columns = "",
              const std::string& values = "") {
    database_.run("INSERT INTO events (hook, payload, tags, depth, created_by, created_at) "
                  "VALUES ('staging.new_assembly', '{\"genome\":\"homo_sapiens\"}', '[]', 0, 'ingest', " +
                  std::to_string(createdAt) + ")");
    ++jobs_;
    database_.run("INSERT INTO jobs (event_id, handler_id, handler_version, state, attempt, max_attempts, run_after, "
                  "created_at" + columns + ") VALUES (" + std::to_string(jobs_) + ", 1, 1, '" + state + "', 1, 2, 0, " +
                  std::to_string(createdAt) + values + ")");
  }

  void addMail(std::int64_t jobId, const std::string& state, Micros createdAt, const std::string& sentAt) {
    outbox::Notification mail;
    mail.jobId = jobId;
    mail.recipient = "ok@example.com";
    mail.handlerName = "h";
    mail.hook = "staging.new_assembly";
    mail.jobPath = outbox::jobPathOf(jobId);
    database_.run("INSERT INTO notifications (job_id, recipient, channel, content, state, attempts, next_attempt_at, "
                  "created_at, sent_at) VALUES (" + std::to_string(jobId) + ", 'ok@example.com', 'mail', " +
                  quoted(outbox::notificationToJson(mail).dump()) + ", '" + state + "', 0, 0, " +
                  std::to_string(createdAt) + ", " + sentAt + ")");
  }

  static std::string at(Micros offset) { return std::to_string(nowMicros() + offset); }

  std::vector<std::int64_t> listed(std::optional<JobState> state) {
    storage::JobQuery query;
    query.state = state;
    query.handlerId = 1;
    std::vector<std::int64_t> ids;
    for (const auto& job : store_->listJobs(query)) ids.push_back(job.id);
    return ids;
  }

  TempDir dir_;
  OlderDatabase database_;
  std::int64_t jobs_ = 0;
  std::unique_ptr<storage::SqlStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, storeBackends(), backendName);

TEST_P(MigrationTest, EveryJobAndMailOfAnOlderDatabaseIsFoundAfterIt) {
  addHandler();
  const Micros old = nowMicros() - 48 * kHour;
  addJob("QUEUED", nowMicros());                                                                   // 1
  addJob("RUNNING", nowMicros(), ", lease_owner, lease_expires_at, started_at", ", 'gone:1', 1, " + at(0));  // 2
  addJob("SUCCEEDED", nowMicros(), ", result, started_at, finished_at", ", 'done', " + at(-1000) + ", " + at(0));  // 3
  addJob("FAILED", old, ", error, started_at, finished_at",
         ", 'it broke', " + std::to_string(old) + ", " + std::to_string(old + 1000));                // 4
  addJob("WAITING", nowMicros(), ", token_hash, deadline_at, started_at", ", 'x', 1, " + at(0));     // 5
  addMail(3, "PENDING", nowMicros(), "NULL");
  addMail(4, "SENT", old, std::to_string(old + 2000));
  ASSERT_EQ(database_.version(), kBeforePartialIndexes);

  store_ = database_.openStore();
  EXPECT_EQ(database_.version(), storage::latestSchemaVersion());

  // GET /v1/jobs's filters, finished or not.
  EXPECT_EQ(listed(JobState::Queued), std::vector<std::int64_t>{1});
  EXPECT_EQ(listed(JobState::Running), std::vector<std::int64_t>{2});
  EXPECT_EQ(listed(JobState::Succeeded), std::vector<std::int64_t>{3});
  EXPECT_EQ(listed(JobState::Failed), std::vector<std::int64_t>{4});
  EXPECT_EQ(listed(JobState::Waiting), std::vector<std::int64_t>{5});
  EXPECT_EQ(listed(std::nullopt), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(store_->countQueued(), 1);

  // GET /v1/stats: the finished job in its hour, the unfinished ones by state.
  storage::StatsQuery lastHour;
  lastHour.until = nowMicros() + 60'000'000;
  lastHour.since = lastHour.until - kHour;
  lastHour.bucketMicros = kHour;
  auto stats = store_->jobStats(lastHour);
  ASSERT_EQ(stats.buckets.size(), 1u);
  EXPECT_EQ(stats.buckets[0].succeeded, 1);
  EXPECT_EQ(stats.unfinished.at("QUEUED"), 1);
  EXPECT_EQ(stats.unfinished.at("RUNNING"), 1);
  EXPECT_EQ(stats.unfinished.at("WAITING"), 1);

  // The pending mail is due; the old chain (its job and mail settled long ago) is pruned.
  auto due = store_->claimDue(nowMicros(), 10, nowMicros() + 60'000'000);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().jobId, 3);
  auto pruned = storage::SqlPruner::forStore(*store_)->pruneBatch(nowMicros() - 24 * kHour);
  EXPECT_EQ(pruned.jobs, 1);
  EXPECT_EQ(pruned.notifications, 1);
  EXPECT_FALSE(store_->getJob(4));
  EXPECT_TRUE(store_->getJob(3));

  // The rescuer finds the expired lease and the passed deadline; then both queued jobs are claimed.
  jobs::JobWatch watch;
  jobs::JobLifecycle lifecycle(*store_, *store_, watch, jobs::LifecycleOptions{});
  auto rescued = lifecycle.rescue(storage::RescueScope::ExpiredLeases);
  EXPECT_EQ(rescued.requeued, 1);
  EXPECT_EQ(rescued.failed + rescued.timedOut, 1);
  std::vector<std::int64_t> claimed;
  for (const auto& job : store_->claimJobs("host-a", 10, 30'000'000)) claimed.push_back(job.jobId);
  EXPECT_EQ(claimed, (std::vector<std::int64_t>{1, 2}));
}

// "The work still to do is read through its index": the plans of the claim, the queued count
// and the notifier's due rows. PostgreSQL is asked with sequential scans off (a table this
// small is read whole otherwise): whether the index can serve the query at all.
std::string planOf(Backend backend, Poco::Data::Session& session, const std::string& query) {
  if (backend == Backend::Postgres) session << "SET enable_seqscan = off", now;
  Poco::Data::Statement plan(session);
  plan << (backend == Backend::Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + query, now;
  Poco::Data::RecordSet rows(plan);
  const std::size_t column = backend == Backend::Sqlite ? 3 : 0;  // SQLite's "detail", PostgreSQL's one column
  std::string details;
  for (std::size_t row = 0; row < rows.rowCount(); ++row) details += rows.value(column, row).convert<std::string>() + "\n";
  return details;
}

TEST_P(MigrationTest, UnfinishedWorkIsReadThroughTheNarrowedIndexes) {
  database_.openStore().reset();
  Poco::Data::Session& session = database_.session();
  const std::map<std::string, std::string> indexOf = {
      {"SELECT j.id FROM jobs j WHERE j.state = 'QUEUED' AND j.finished_at IS NULL AND j.run_after <= 5 "
       "ORDER BY j.run_after, j.id LIMIT 4",
       "jobs_runnable"},
      {"SELECT count(*) FROM jobs WHERE state = 'QUEUED' AND finished_at IS NULL", "jobs_runnable"},
      {"SELECT j.state, j.finished_at FROM jobs j WHERE j.finished_at >= 1 AND j.finished_at < 2", "jobs_by_finish"},
      {"SELECT id FROM notifications WHERE state = 'PENDING' AND channel = 'mail' AND next_attempt_at <= 5 "
       "ORDER BY next_attempt_at, id LIMIT 10",
       "notifications_due"},
  };
  for (const auto& [query, index] : indexOf) {
    EXPECT_NE(planOf(GetParam(), session, query).find(index), std::string::npos)
        << query << "\n" << planOf(GetParam(), session, query);
  }
}

}  // namespace
}  // namespace hookhost::testing
