#include "storage/migrations.hpp"

#include <optional>

#include <Poco/Data/RecordSet.h>

#include "storage/sql_dialect.hpp"

namespace hookhost::storage {
namespace {

using Poco::Data::Keywords::now;

// One statement of a migration, for both databases unless it names the one it is for (a
// PostgreSQL storage parameter has no SQLite counterpart).
struct SchemaStep {
  SchemaStep(const char* text) : sql(text) {}  // NOLINT(google-explicit-constructor): most steps are plain text
  SchemaStep(sql::Dialect onlyOn, const char* text) : sql(text), only(onlyOn) {}
  bool appliesTo(sql::Dialect dialect) const { return !only || *only == dialect; }

  std::string sql;
  std::optional<sql::Dialect> only;
};

SchemaStep postgresOnly(const char* text) { return {sql::Dialect::Postgres, text}; }

// Append only: a released version's statements never change. Timestamps are microseconds
// since the epoch, UTC; JSON is stored as text.
const std::vector<std::vector<SchemaStep>>& versions() {
  static const std::vector<std::vector<SchemaStep>> all = {
      // 1: users, handlers, events, jobs and their history, the notification outbox.
      {
          "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, "
          "email TEXT NOT NULL, role TEXT NOT NULL, key_id TEXT NOT NULL UNIQUE, key_hash TEXT NOT NULL, "
          "created_at INTEGER NOT NULL, revoked_at INTEGER)",
          "CREATE TABLE handlers (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
          "hook TEXT NOT NULL, version INTEGER NOT NULL, runtime TEXT NOT NULL, "
          "notify_on_success TEXT NOT NULL, notify_on_failure TEXT NOT NULL, tags TEXT NOT NULL, "
          "timeout_s INTEGER NOT NULL, max_attempts INTEGER NOT NULL, max_concurrency INTEGER NOT NULL, "
          "owner_id INTEGER NOT NULL REFERENCES users(id), created_at INTEGER NOT NULL, "
          "created_by TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, "
          "deleted_at INTEGER)",
          "CREATE UNIQUE INDEX handlers_live_name ON handlers(hook, name) WHERE deleted_at IS NULL",
          "CREATE TABLE handler_versions (handler_id INTEGER NOT NULL REFERENCES handlers(id), "
          "version INTEGER NOT NULL, runtime TEXT NOT NULL, code TEXT NOT NULL, plugin TEXT NOT NULL, "
          "config TEXT NOT NULL, timeout_s INTEGER NOT NULL, max_attempts INTEGER NOT NULL, "
          "created_at INTEGER NOT NULL, PRIMARY KEY (handler_id, version))",
          "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, hook TEXT NOT NULL, "
          "payload TEXT NOT NULL, tags TEXT NOT NULL, idem_key TEXT, parent_job_id INTEGER, "
          "depth INTEGER NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL)",
          "CREATE UNIQUE INDEX events_idem_key ON events(hook, idem_key) WHERE idem_key IS NOT NULL",
          "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
          "event_id INTEGER NOT NULL REFERENCES events(id), handler_id INTEGER NOT NULL, "
          "handler_version INTEGER NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL, "
          "max_attempts INTEGER NOT NULL, run_after INTEGER NOT NULL, lease_owner TEXT, "
          "lease_expires_at INTEGER, deadline_at INTEGER, token_hash TEXT, result TEXT, error TEXT, "
          "output TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER)",
          "CREATE INDEX jobs_runnable ON jobs(state, run_after, id)",
          "CREATE INDEX jobs_by_handler ON jobs(handler_id, state)",
          "CREATE INDEX jobs_by_event ON jobs(event_id)",
          "CREATE TABLE job_history (id INTEGER PRIMARY KEY AUTOINCREMENT, "
          "job_id INTEGER NOT NULL REFERENCES jobs(id), kind TEXT NOT NULL, at INTEGER NOT NULL, "
          "data TEXT NOT NULL)",
          "CREATE INDEX job_history_by_job ON job_history(job_id, id)",
          "CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, "
          "job_id INTEGER NOT NULL REFERENCES jobs(id), recipient TEXT NOT NULL, content TEXT NOT NULL, "
          "state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, "
          "lease_expires_at INTEGER, last_error TEXT, created_at INTEGER NOT NULL, sent_at INTEGER)",
          "CREATE INDEX notifications_due ON notifications(state, next_attempt_at)",
      },
      // 2: the hosts sharing the store, each with its last heartbeat.
      {
          "CREATE TABLE hosts (id TEXT PRIMARY KEY, address TEXT NOT NULL, plugins TEXT NOT NULL, "
          "started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL)",
      },
      // 3: what retention looks rows up by: the events a job emitted (few; most events are
      // fired, so the index holds only emitted ones) and a job's notifications.
      {
          "CREATE INDEX events_by_parent_job ON events(parent_job_id) WHERE parent_job_id IS NOT NULL",
          "CREATE INDEX notifications_by_job ON notifications(job_id)",
      },
      // A handler's content filter: its pattern as JSON text, NULL for none (DESIGN.md "Flows").
      {
          "ALTER TABLE handlers ADD COLUMN content_filter TEXT",
      },
      // 5 (repair, issue 15): a version keeps every setting of its registration as one JSON
      // object (a new handler field is one line in storage/handler_settings.cpp, no column),
      // and who registered it; a re-run with an edited payload keeps it on its job (null: the
      // event's).
      {
          "ALTER TABLE handler_versions ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",
          "ALTER TABLE handler_versions ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
          "ALTER TABLE jobs ADD COLUMN payload TEXT",
      },
      // 6: coalescing and chains (issue 14). A handler's (and each version's) coalesce
      // settings as JSON, NULL for none. A coalescing job holds its key (the JSON array of
      // the payload values at the key's pointers) and gathers its events in job_events;
      // the partial unique index is what keeps two hosts from opening two windows for one
      // key. An event's root_event_id is NULL for a root (the root is itself) and the
      // root's id for an event emitted by a job.
      {
          "ALTER TABLE handlers ADD COLUMN coalesce_settings TEXT",
          "ALTER TABLE handler_versions ADD COLUMN coalesce_settings TEXT",
          "ALTER TABLE events ADD COLUMN root_event_id INTEGER",
          "ALTER TABLE jobs ADD COLUMN coalesce_key TEXT",
          // No foreign keys: a job may gather events of other chains, which retention prunes
          // apart; it deletes these rows with either side.
          "CREATE TABLE job_events (job_id INTEGER NOT NULL, event_id INTEGER NOT NULL, at INTEGER NOT NULL, "
          "PRIMARY KEY (job_id, event_id))",
          "CREATE INDEX job_events_by_event ON job_events(event_id)",
          "CREATE UNIQUE INDEX jobs_pending_key ON jobs(handler_id, coalesce_key) "
          "WHERE state = 'PENDING' AND coalesce_key IS NOT NULL",
          "CREATE INDEX events_by_root ON events(root_event_id) WHERE root_event_id IS NOT NULL",
      },
      // 7: the Python minor version a python handler's pickle was made with and runs in
      // ("" = the host's default interpreter; plugins).
      {
          "ALTER TABLE handler_versions ADD COLUMN python_version TEXT NOT NULL DEFAULT ''",
      },
      // 8: each handler's webhook signing secret, made when it first gets a notification URL
      // and kept while it lives (stored as it is: signing needs the key itself).
      {
          "CREATE TABLE webhook_secrets (handler_id INTEGER PRIMARY KEY REFERENCES handlers(id), "
          "secret TEXT NOT NULL, created_at INTEGER NOT NULL)",
      },
      // 9: each notifier claims its own channel's due rows through the index. Found by
      // recipient (`LIKE 'http%'`), the webhook notifier's poll read every pending mail row
      // and each of them from the table: at a backlog of thousands, tens of thousands of
      // page reads a second on the writer (bench, plugin in-process).
      {
          "ALTER TABLE notifications ADD COLUMN channel TEXT NOT NULL DEFAULT 'mail'",
          "UPDATE notifications SET channel = 'webhook' WHERE recipient LIKE 'http://%' OR recipient LIKE 'https://%'",
          "DROP INDEX notifications_due",
          "CREATE INDEX notifications_due ON notifications(state, channel, next_attempt_at)",
      },
      // 10: GET /v1/stats reads the jobs that ended in a time range (the console's chart);
      // the handler in the index lets a non-admin's or one handler's range skip the others'.
      {
          "CREATE INDEX jobs_by_finish ON jobs(finished_at, handler_id)",
      },
      // 11 (issue 17): less WAL per job on PostgreSQL. An update that changes the state (or
      // any indexed column) enters the new row version in every index whose condition it
      // meets, so the indexes of work to do hold only that work: jobs_runnable the unfinished
      // jobs (unfinished exactly while finished_at is NULL: it is set on the move to a
      // terminal state, which a job never leaves; queries of unfinished jobs say so to use
      // it), jobs_by_finish the finished ones, notifications_due the pending rows. Free room
      // on the pages keeps an update on its page, which PostgreSQL logs as the changed bytes
      // instead of the whole row (a notification carries its whole mail), and makes it a HOT
      // update, with no index entries, where no indexed column changes (a notification's
      // claim, a lease's renewal).
      {
          "DROP INDEX jobs_runnable",
          "CREATE INDEX jobs_runnable ON jobs(state, run_after, id) WHERE finished_at IS NULL",
          "DROP INDEX jobs_by_finish",
          "CREATE INDEX jobs_by_finish ON jobs(finished_at, handler_id) WHERE finished_at IS NOT NULL",
          "DROP INDEX notifications_due",
          "CREATE INDEX notifications_due ON notifications(channel, next_attempt_at) WHERE state = 'PENDING'",
          postgresOnly("ALTER TABLE jobs SET (fillfactor = 70)"),
          postgresOnly("ALTER TABLE notifications SET (fillfactor = 50)"),
      },
  };
  return all;
}

// Called inside the migration's transaction, after the lock, so two hosts starting at once
// against one PostgreSQL agree on the version.
int currentVersion(Poco::Data::Session& session) {
  session << "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", now;
  Poco::Data::Statement select(session);
  select << "SELECT version FROM schema_version", now;
  Poco::Data::RecordSet rows(select);
  if (rows.rowCount() == 0) return 0;
  return rows.value(0, 0).convert<int>();
}

void refuseNewer(int version) {
  if (version <= latestSchemaVersion()) return;
  throw SchemaError("the database has schema version " + std::to_string(version) +
                    ", newer than this hookhost supports (" + std::to_string(latestSchemaVersion()) +
                    "); run a newer hookhost or restore a backup");
}

}  // namespace

int latestSchemaVersion() { return static_cast<int>(versions().size()); }

void migrate(Poco::Data::Session& session) { migrateTo(session, latestSchemaVersion()); }

void migrateTo(Poco::Data::Session& session, int target) {
  const sql::Dialect dialect = sql::dialectOf(session);
  for (;;) {
    session << sql::beginWrite(dialect), now;
    int version = 0;
    try {
      // SQLite's IMMEDIATE transaction already excludes other writers; PostgreSQL needs a
      // lock that also covers creating schema_version.
      if (dialect == sql::Dialect::Postgres) session << "SELECT pg_advisory_xact_lock(72417001)", now;
      version = currentVersion(session);
      refuseNewer(version);
      if (version >= target) {
        session << "COMMIT", now;
        return;
      }
      for (const auto& step : versions()[static_cast<std::size_t>(version)]) {
        if (step.appliesTo(dialect)) session << sql::schemaStatement(dialect, step.sql), now;
      }
      session << "DELETE FROM schema_version", now;
      int next = version + 1;
      session << sql::forDialect(dialect, "INSERT INTO schema_version (version) VALUES (?)"),
          Poco::Data::Keywords::use(next), now;
      session << "COMMIT", now;
    } catch (const SchemaError&) {
      session << "ROLLBACK", now;
      throw;
    } catch (const std::exception& error) {
      session << "ROLLBACK", now;
      throw SchemaError("migration to schema version " + std::to_string(version + 1) + " failed: " + error.what());
    }
  }
}

}  // namespace hookhost::storage
