#include "storage/sql_connection.hpp"

#include <chrono>
#include <mutex>
#include <stdexcept>

#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Utility.h>

#include "storage/sql_rows.hpp"

namespace hookhost::storage::sql {

Connection::Connection(Poco::Data::Session& session, PreparedStatements* statements)
    : session_(session), dialect_(dialectOf(session)), statements_(statements) {
  if (dialect_ == Dialect::Sqlite) {
    sqlite_ = Poco::Data::SQLite::Utility::dbHandle(session);
    return;
  }
  // A session of its own (not lent by Poco's pool, whose wrapper hides the handle).
  auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
  if (!impl) throw std::logic_error("a PostgreSQL connection must be a session of its own");
  postgres_ = &impl->handle();
}

Rows Connection::query(const std::string& sql, const Params& params) {
  Rows rows;
  run(sql, params, &rows);
  return rows;
}

std::size_t Connection::execute(const std::string& sql, const Params& params) { return run(sql, params, nullptr); }

void Connection::executeLater(const std::string& sql, const Params& params) {
  if (sqlite_) {
    execute(sql, params);
    return;
  }
  sendPostgres(*postgres_, statements_ ? &statements_->postgres : nullptr, sql, params);
}

void Connection::executeTogether(const std::vector<const char*>& statements) {
  if (sqlite_) {
    for (const char* statement : statements) execute(statement, {});
    return;
  }
  runPostgresScript(*postgres_, statements_ ? &statements_->postgres : nullptr, statements);
}

void Connection::abandonUnanswered() {
  if (postgres_) sql::abandonUnanswered(*postgres_, statements_ ? &statements_->postgres : nullptr);
}

bool Connection::readyForWork() const {
  if (!postgres_) return true;
  PGconn* connection = *postgres_;
  return PQpipelineStatus(connection) == PQ_PIPELINE_OFF && PQtransactionStatus(connection) == PQTRANS_IDLE;
}

std::size_t Connection::run(const std::string& sql, const Params& params, Rows* rows) {
  if (sqlite_) return runSqlite(sqlite_, statements_ ? &statements_->sqlite : nullptr, sql, params, rows);
  return runPostgres(*postgres_, statements_ ? &statements_->postgres : nullptr, sql, params, rows);
}

namespace {

// The database's clock, read once a second and followed on this host's monotonic clock in
// between: read on every write, it was a round trip each, eight per fired event (issue 17).
// Between readings the estimate moves by the two clocks' rate difference (parts per
// million), never by a step of this host's wall clock. One per process: every PostgreSQL
// store a process opens (tests open several) is on a server of this machine's clock or
// read again within a second.
class DatabaseClock {
 public:
  Micros now(Connection& session) {
    const auto here = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (!read_ || here - readAt_ > kReadEvery) {
      Rows rows = session.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now", {});
      rows.moveFirst();
      readAt_ = std::chrono::steady_clock::now();
      databaseAtRead_ = integer(rows, "now");
      read_ = true;
      return databaseAtRead_;
    }
    return databaseAtRead_ + std::chrono::duration_cast<std::chrono::microseconds>(here - readAt_).count();
  }

 private:
  static constexpr std::chrono::seconds kReadEvery{1};
  std::mutex mutex_;
  bool read_ = false;
  std::chrono::steady_clock::time_point readAt_;
  Micros databaseAtRead_ = 0;
};

}  // namespace

Micros databaseNow(Connection& session) {
  if (session.dialect() != Dialect::Postgres) return nowMicros();
  static DatabaseClock clock;
  return clock.now(session);
}

}  // namespace hookhost::storage::sql
