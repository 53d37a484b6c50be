#pragma once

#include <cstddef>
#include <string>

#include <Poco/Data/Session.h>

#include "common/clock.hpp"
#include "storage/sql_dialect.hpp"
#include "storage/sql_values.hpp"
#include "storage/sqlite_statements.hpp"

struct sqlite3;

namespace hookhost::storage::sql {

/// One database connection as the store's statements use it. On SQLite the statements run
/// through SQLite's own API on the connection's handle (Poco's statement layer prepared every
/// statement anew and copied each value through several layers, which made it most of the
/// writer thread's time); on PostgreSQL through Poco. Not thread-safe, like the session.
class Connection {
 public:
  /// `statements`: where prepared SQLite statements are kept between calls (the writer's
  /// connection); without, each statement is prepared for its call. Neither is owned.
  explicit Connection(Poco::Data::Session& session, SqliteStatements* statements = nullptr);

  Dialect dialect() const { return dialect_; }
  Poco::Data::Session& session() { return session_; }

  Rows query(const std::string& sql, const Params& params);
  /// Returns how many rows the statement changed.
  std::size_t execute(const std::string& sql, const Params& params);

 private:
  std::size_t run(const std::string& sql, const Params& params, Rows* rows);

  Poco::Data::Session& session_;
  Dialect dialect_;
  sqlite3* sqlite_ = nullptr;
  SqliteStatements* statements_;
};

/// A session that keeps its prepared SQLite statements for as long as it lives, finalized
/// before it closes or reconnects: the writer's connection, and each kept SQLite reader.
struct KeptConnection {
  explicit KeptConnection(Poco::Data::Session opened)
      : session(std::move(opened)), connection(session, &statements) {}
  KeptConnection(const KeptConnection&) = delete;
  KeptConnection& operator=(const KeptConnection&) = delete;

  /// Opens the session again after the database dropped it.
  void reconnect() {
    statements.clear();
    session.reconnect();
  }

  Poco::Data::Session session;
  SqliteStatements statements;
  Connection connection;
};

/// The database's clock, in microseconds since the epoch. Leases and deadlines shared by
/// several hosts are measured on it, so no host's clock skew moves them. An embedded
/// SQLite store is on this host: its clock is this host's.
Micros databaseNow(Connection& session);

}  // namespace hookhost::storage::sql
