#include "storage/sql_store.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <sqlite3.h>
#include <Poco/Data/DataException.h>
#include <Poco/Logger.h>

#include "storage/migrations.hpp"
#include "storage/postgres_url.hpp"
#include "storage/sql_rows.hpp"

namespace hookhost::storage {

using sql::bind;
using Poco::Data::Keywords::now;

namespace {

constexpr std::size_t kMaxSqliteReaders = 256;
// Each host holds this many PostgreSQL connections at most, plus its writer: several hosts
// must fit in the server's max_connections (100 by default).
constexpr int kMaxPostgresReaders = 24;
// How often a shared store's queue length is re-read for the 429 limit.
constexpr Micros kQueuedRefresh = 1'000'000;

void configureSqlite(Poco::Data::Session& session) {
  // WAL lets readers run beside the single writer; FULL makes each commit durable before
  // the call that asked for it returns; the busy timeout covers checkpoints and other
  // processes (the CLI) touching the file.
  // Incremental vacuum lets retention give freed pages back. SQLite takes it only before the
  // first table and before WAL: a new file gets it, an existing one keeps its mode (see
  // storage/retention.hpp).
  session << "PRAGMA auto_vacuum=INCREMENTAL", now;
  session << "PRAGMA journal_mode=WAL", now;
  session << "PRAGMA synchronous=FULL", now;
  session << "PRAGMA busy_timeout=10000", now;
  session << "PRAGMA foreign_keys=ON", now;
  // The group committer keeps each request in a savepoint, and SQLite journals the pages a
  // savepoint changes. Past 64 KiB that journal went to a temporary file, made, written
  // twice a page and unlinked per batch: 15 page writes per fired event on the writer
  // thread, in issue 13's profile. In memory, it costs a copy. (A larger spill bound
  // instead of this made SQLite allocate its journal in chunks of that size, and a
  // statement past the bound failed with "disk full" on SQLite 3.40.)
  session << "PRAGMA temp_store=MEMORY", now;
}

// Process-wide SQLite settings, before the first connection opens. Every connection is used
// by one thread at a time (the writer thread, or the reader that took it from the pool), so
// SQLite's per-connection mutexes (serialized mode) buy nothing; and its memory statistics
// take one process-wide mutex on every allocation, which all readers and the writer
// contended for (seen in the issue 8 profile).
void configureSqliteLibrary() {
  sqlite3_shutdown();
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_initialize();
}

// The WAL grows while checkpoints cannot complete (a full disk, a reader held open): fold it
// back into the database at start, so the host runs with a short log. A checkpoint that
// cannot finish now is no reason not to start; SQLite checkpoints again as it goes.
void checkpointSqlite(Poco::Data::Session& session) {
  try {
    session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
  } catch (const Poco::Exception& error) {
    Poco::Logger::get("hookhost.storage").warning("checkpointing the SQLite log at start failed: %s",
                                                  error.displayText());
  }
}

User readUser(const sql::Rows& rows) {
  User user;
  user.id = sql::integer(rows, "id");
  user.name = sql::text(rows, "name");
  user.email = sql::text(rows, "email");
  user.role = parseRole(sql::text(rows, "role")).value_or(Role::User);
  user.createdAt = sql::integer(rows, "created_at");
  user.revokedAt = sql::optionalInteger(rows, "revoked_at");
  return user;
}

}  // namespace

std::unique_ptr<SqlStore> SqlStore::openSqlite(const std::filesystem::path& path) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    configureSqliteLibrary();
    Poco::Data::SQLite::Connector::registerConnector();
  });
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

  Poco::Data::Session writer("SQLite", path.string());
  configureSqlite(writer);
  checkpointSqlite(writer);
  migrate(writer);
  // Every HTTP thread and dispatcher may read at once; past that, a read waits.
  auto readers = std::make_unique<KeptReaders>("SQLite", path.string(), kMaxSqliteReaders);
  return std::unique_ptr<SqlStore>(new SqlStore(std::move(readers), std::move(writer), Sharing::ThisHostOnly));
}

std::unique_ptr<SqlStore> SqlStore::openPostgres(const std::string& url) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
  auto connection = postgresConnectionString(url);
  if (!connection) throw std::invalid_argument(connection.error().message);
  std::optional<Poco::Data::Session> writer;
  try {
    writer.emplace("PostgreSQL", *connection);
  } catch (const Poco::Exception& error) {
    throw StoreUnavailable("cannot connect to PostgreSQL at " + withoutPassword(url) + ": " + error.displayText());
  }
  // libpq prints notices ("relation already exists, skipping") on stderr; the log stays clean.
  *writer << "SET client_min_messages TO warning", now;
  migrate(*writer);
  auto readers = std::make_unique<KeptReaders>("PostgreSQL", *connection, kMaxPostgresReaders);
  return std::unique_ptr<SqlStore>(new SqlStore(std::move(readers), std::move(*writer), Sharing::SharedByHosts));
}

SqlStore::SqlStore(std::unique_ptr<KeptReaders> readers, Poco::Data::Session writer, Sharing sharing)
    : readers_(std::move(readers)),
      writer_(std::move(writer), 1024, &notice_),
      sharing_(sharing) {
  queued_.reset(countQueued());
}

std::int64_t SqlStore::queuedNow(sql::Connection& session) {
  if (sharing_ == Sharing::SharedByHosts) {
    Micros at = nowMicros();
    if (at - queuedReadAt_ > kQueuedRefresh) {
      std::string queued = jobStateName(JobState::Queued);
      auto rows = sql::query(session, "SELECT count(*) AS n FROM jobs WHERE state = ? AND finished_at IS NULL",
                             [&](auto& st) { st, bind(queued); });
      rows.moveFirst();
      queued_.recountedInTransaction(sql::integer(rows, "n"));
      queuedReadAt_ = at;
    }
  }
  return queued_.inTransaction();
}

SqlStore::~SqlStore() = default;

Result<User> SqlStore::createUser(const std::string& name, const std::string& email, Role role,
                                  const std::string& keyId, const std::string& keyHash) {
  return writer_.run([&](sql::Connection& session) -> Result<User> {
    auto existing = sql::query(session, "SELECT id FROM users WHERE name = ?",
                               [&](auto& st) { st, bind(name); });
    if (existing.rowCount() > 0) {
      return makeError(ErrorKind::Conflict, "user_exists", "a user named '" + name + "' already exists");
    }
    User user{0, name, email, role, sql::databaseNow(session), std::nullopt};
    std::string roleText = roleName(role);
    user.id = sql::insert(
        session, "INSERT INTO users (name, email, role, key_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [&](auto& st) { st, bind(name), bind(email), bind(roleText), bind(keyId), bind(keyHash), bind(user.createdAt); });
    return user;
  });
}

std::vector<User> SqlStore::listUsers() {
  return read([&](sql::Connection& session) {
    auto rows = sql::query(session, "SELECT * FROM users ORDER BY name", [](auto&) {});
    std::vector<User> users;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) users.push_back(readUser(rows));
    return users;
  });
}

Status SqlStore::revokeUser(const std::string& name) {
  return writer_.run([&](sql::Connection& session) -> Status {
    Micros at = sql::databaseNow(session);
    auto changed = sql::execute(session, "UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                [&](auto& st) { st, bind(at), bind(name); });
    if (changed == 0) {
      return makeError(ErrorKind::NotFound, "user_not_found", "no active user named '" + name + "'");
    }
    return Ok{};
  });
}

std::optional<UserCredentials> SqlStore::findUserByKeyId(const std::string& keyId) {
  return read([&](sql::Connection& session) -> std::optional<UserCredentials> {
    auto rows = sql::query(session, "SELECT * FROM users WHERE key_id = ? AND revoked_at IS NULL",
                           [&](auto& st) { st, bind(keyId); });
    if (!rows.moveFirst()) return std::nullopt;
    return UserCredentials{readUser(rows), sql::text(rows, "key_hash")};
  });
}

std::int64_t SqlStore::countUsers() {
  return read([&](sql::Connection& session) {
    auto rows = sql::query(session, "SELECT count(*) AS n FROM users", [](auto&) {});
    rows.moveFirst();
    return sql::integer(rows, "n");
  });
}

std::int64_t SqlStore::countQueued() {
  return read([&](sql::Connection& session) {
    std::string queued = jobStateName(JobState::Queued);
    auto rows = sql::query(session, "SELECT count(*) AS n FROM jobs WHERE state = ? AND finished_at IS NULL", [&](auto& st) { st, bind(queued); });
    rows.moveFirst();
    return sql::integer(rows, "n");
  });
}

std::vector<std::pair<std::string, std::int64_t>> SqlStore::countJobsByState() {
  return read([&](sql::Connection& session) {
    auto rows = sql::query(session, "SELECT state, count(*) AS n FROM jobs GROUP BY state", [](auto&) {});
    std::vector<std::pair<std::string, std::int64_t>> counts;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      counts.emplace_back(sql::text(rows, "state"), sql::integer(rows, "n"));
    }
    return counts;
  });
}

}  // namespace hookhost::storage
