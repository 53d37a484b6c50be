#include "storage/migrations.hpp"

#include <Poco/Data/RecordSet.h>

#include "storage/sql_dialect.hpp"

namespace hookhost::storage {
namespace {

using Poco::Data::Keywords::now;

// Append only: a released version's statements never change. Timestamps are microseconds
// since the epoch, UTC; JSON is stored as text.
const std::vector<std::vector<std::string>>& versions() {
  static const std::vector<std::vector<std::string>> all = {
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

void migrate(Poco::Data::Session& session) {
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
      if (version == latestSchemaVersion()) {
        session << "COMMIT", now;
        return;
      }
      for (const auto& statement : versions()[static_cast<std::size_t>(version)]) {
        session << sql::schemaStatement(dialect, statement), now;
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
