#include "storage/sql_store.hpp"

#include <mutex>

#include <Poco/Data/SQLite/Connector.h>

#include "storage/migrations.hpp"
#include "storage/sql_rows.hpp"

namespace hookhost::storage {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::now;

namespace {

constexpr int kMaxReaders = 256;

void configureConnection(Poco::Data::Session& session) {
  // WAL lets readers run beside the single writer; FULL makes each commit durable before
  // the call that asked for it returns; the busy timeout covers checkpoints and other
  // processes (the CLI) touching the file.
  session << "PRAGMA journal_mode=WAL", now;
  session << "PRAGMA synchronous=FULL", now;
  session << "PRAGMA busy_timeout=10000", now;
  session << "PRAGMA foreign_keys=ON", now;
}

User readUser(Poco::Data::RecordSet& rows) {
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
  std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

  Poco::Data::Session writer("SQLite", path.string());
  configureConnection(writer);
  migrate(writer);
  // Every HTTP thread and dispatcher may read at once; a pool smaller than that would
  // answer 500 under load instead of queueing.
  auto readers = std::make_unique<Poco::Data::SessionPool>("SQLite", path.string(), 1, kMaxReaders, 600);
  return std::unique_ptr<SqlStore>(new SqlStore(std::move(readers), std::move(writer)));
}

SqlStore::SqlStore(std::unique_ptr<Poco::Data::SessionPool> readers, Poco::Data::Session writer)
    : readers_(std::move(readers)), writer_(std::move(writer)) {
  queued_ = countQueued();
}

SqlStore::~SqlStore() = default;

Result<User> SqlStore::createUser(const std::string& name, const std::string& email, Role role,
                                  const std::string& keyId, const std::string& keyHash) {
  return writer_.run([&](Poco::Data::Session& session) -> Result<User> {
    auto existing = sql::query(session, "SELECT id FROM users WHERE name = ?",
                               [&](auto& st) { st, bind(name); });
    if (existing.rowCount() > 0) {
      return makeError(ErrorKind::Conflict, "user_exists", "a user named '" + name + "' already exists");
    }
    User user{0, name, email, role, nowMicros(), std::nullopt};
    std::string roleText = roleName(role);
    sql::execute(session,
                 "INSERT INTO users (name, email, role, key_id, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                 [&](auto& st) { st, bind(name), bind(email), bind(roleText), bind(keyId), bind(keyHash), bind(user.createdAt); });
    user.id = sql::lastInsertId(session);
    return user;
  });
}

std::vector<User> SqlStore::listUsers() {
  auto session = reader();
  auto rows = sql::query(session, "SELECT * FROM users ORDER BY name", [](auto&) {});
  std::vector<User> users;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) users.push_back(readUser(rows));
  return users;
}

Status SqlStore::revokeUser(const std::string& name) {
  return writer_.run([&](Poco::Data::Session& session) -> Status {
    Micros at = nowMicros();
    auto changed = sql::execute(session, "UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                                [&](auto& st) { st, bind(at), bind(name); });
    if (changed == 0) {
      return makeError(ErrorKind::NotFound, "user_not_found", "no active user named '" + name + "'");
    }
    return Ok{};
  });
}

std::optional<UserCredentials> SqlStore::findUserByKeyId(const std::string& keyId) {
  auto session = reader();
  auto rows = sql::query(session, "SELECT * FROM users WHERE key_id = ? AND revoked_at IS NULL",
                         [&](auto& st) { st, bind(keyId); });
  if (!rows.moveFirst()) return std::nullopt;
  return UserCredentials{readUser(rows), sql::text(rows, "key_hash")};
}

std::int64_t SqlStore::countUsers() {
  auto session = reader();
  Poco::Int64 count = 0;
  session << "SELECT count(*) FROM users", Poco::Data::Keywords::into(count), now;
  return count;
}

std::int64_t SqlStore::countQueued() {
  auto session = reader();
  Poco::Int64 count = 0;
  session << "SELECT count(*) FROM jobs WHERE state = 'QUEUED'", Poco::Data::Keywords::into(count), now;
  return count;
}

std::vector<std::pair<std::string, std::int64_t>> SqlStore::countJobsByState() {
  auto session = reader();
  auto rows = sql::query(session, "SELECT state, count(*) AS n FROM jobs GROUP BY state", [](auto&) {});
  std::vector<std::pair<std::string, std::int64_t>> counts;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    counts.emplace_back(sql::text(rows, "state"), sql::integer(rows, "n"));
  }
  return counts;
}

}  // namespace hookhost::storage
