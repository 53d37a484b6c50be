#pragma once

#include <cstddef>
#include <vector>
#include <string>

#include <Poco/Data/Session.h>

#include "common/clock.hpp"
#include "storage/postgres_statements.hpp"
#include "storage/sql_dialect.hpp"
#include "storage/sql_values.hpp"
#include "storage/sqlite_statements.hpp"

struct sqlite3;
namespace Poco::Data::PostgreSQL {
class SessionHandle;
}

namespace hookhost::storage::sql {

/// The statements a connection keeps prepared between calls, on whichever database it is.
struct PreparedStatements {
  SqliteStatements sqlite;
  PostgresStatements postgres;
  /// Before the connection closes or opens again.
  void clear() {
    sqlite.clear();
    postgres.clear();
  }
};

/// One database connection as the store's statements use it. Poco opens and closes it;
/// the statements run through the database's own API on the connection's handle: Poco's
/// statement layer prepared every statement anew and copied each value through several
/// layers, which made it most of the SQLite writer thread's time (issue 8), and three round
/// trips per statement on PostgreSQL (issue 17). Not thread-safe, like the session.
class Connection {
 public:
  /// `statements`: where prepared statements are kept between calls (the writer's and the
  /// readers' connections); without, each statement is prepared for its call. Neither is
  /// owned.
  explicit Connection(Poco::Data::Session& session, PreparedStatements* statements = nullptr);

  Dialect dialect() const { return dialect_; }
  Poco::Data::Session& session() { return session_; }

  Rows query(const std::string& sql, const Params& params);
  /// Returns how many rows the statement changed.
  std::size_t execute(const std::string& sql, const Params& params);
  /// A write whose result no one reads (a history row, an outbox row). On PostgreSQL it is
  /// sent without waiting and runs before the next statement, in its round trip; its failure
  /// is thrown by that statement's call (as sql::UnansweredStatementFailed when that is
  /// executeTogether). On SQLite it runs at once.
  void executeLater(const std::string& sql, const Params& params);
  /// Runs statements without parameters (transaction control) in order. PostgreSQL gets
  /// them in one round trip for all, with any statements sent by executeLater before them.
  void executeTogether(const std::vector<const char*>& statements);
  /// Drops the results of what executeLater sent and was not answered yet, failures
  /// included: before the work that sent it is rolled back.
  void abandonUnanswered();
  /// Whether the connection can take the next piece of work: on PostgreSQL, out of pipeline
  /// mode with no transaction left open. A failure in the middle of a pipeline (the backend
  /// terminated) can leave libpq in pipeline mode without its having read that the server
  /// is gone; its synchronous calls then fail without reading, so its status stays "OK"
  /// and a check of the status alone would keep the connection for ever.
  bool readyForWork() const;

 private:
  std::size_t run(const std::string& sql, const Params& params, Rows* rows);

  Poco::Data::Session& session_;
  Dialect dialect_;
  sqlite3* sqlite_ = nullptr;
  // Poco keeps the handle across reconnects and opens a new PGconn in it: read per call.
  Poco::Data::PostgreSQL::SessionHandle* postgres_ = nullptr;
  PreparedStatements* statements_;
};

/// A session that keeps its prepared statements for as long as it lives, forgotten before it
/// closes or reconnects: the writer's connection, and each kept reader.
struct KeptConnection {
  explicit KeptConnection(Poco::Data::Session opened)
      : session(std::move(opened)), connection(session, &statements) {}
  KeptConnection(const KeptConnection&) = delete;
  KeptConnection& operator=(const KeptConnection&) = delete;

  /// Open, and ready for the next piece of work (see Connection::readyForWork).
  bool usable() { return session.isConnected() && connection.readyForWork(); }

  /// Opens the session again after the database dropped it (or left it unusable).
  void reconnect() {
    statements.clear();
    session.reconnect();
  }

  Poco::Data::Session session;
  PreparedStatements statements;
  Connection connection;
};

/// The database's clock, in microseconds since the epoch. Leases and deadlines shared by
/// several hosts are measured on it, so no host's clock skew moves them. An embedded
/// SQLite store is on this host: its clock is this host's. PostgreSQL's is read once a
/// second and followed on this host's monotonic clock in between.
Micros databaseNow(Connection& session);

}  // namespace hookhost::storage::sql
