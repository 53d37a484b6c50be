#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include <Poco/Data/DataException.h>

#include "storage/sql_values.hpp"

struct pg_conn;

namespace hookhost::storage::sql {

/// Named prepared statements of one PostgreSQL connection, kept between calls. Poco's
/// connector prepared every statement anew, ran it and deallocated it: three round trips per
/// statement, which made a PostgreSQL store ten times slower than SQLite (issue 17). Kept,
/// a statement costs one round trip and is planned once per connection. Not thread-safe:
/// used by the thread that holds the connection. Forget the names when the connection is
/// opened again (a new backend has none).
class PostgresStatements {
 public:
  /// The name `sql` is prepared under on this connection; null before its first use.
  const std::string* find(const std::string& sql) const;
  /// Whether another statement may be kept. Statements whose text varies (an IN list of
  /// as many `?` as values) would otherwise fill the backend's memory; past the bound a
  /// new one runs unnamed.
  bool hasRoom() const { return names_.size() < kMaxKept; }
  /// The name the next statement kept is prepared under: never one used before on this
  /// connection, also after forget().
  std::string nameOfNext() const { return "hh" + std::to_string(named_); }
  /// Records that `sql` is prepared under `name`; returns the kept name.
  const std::string& add(const std::string& sql, const std::string& name);
  void forget(const std::string& sql) { names_.erase(sql); }
  void clear() {
    names_.clear();
    unanswered_.clear();
    named_ = 0;
  }

  /// A statement sent in the connection's pipeline whose result is not read yet.
  struct Unanswered {
    std::string sql;
    bool preparing = false;  // its preparation, not its run
  };
  void sent(const std::string& sql, bool preparing) { unanswered_.push_back({sql, preparing}); }
  std::size_t unansweredCount() const { return unanswered_.size(); }
  std::vector<Unanswered> takeUnanswered();

 private:
  static constexpr std::size_t kMaxKept = 256;

  std::unordered_map<std::string, std::string> names_;
  std::vector<Unanswered> unanswered_;
  std::size_t named_ = 0;  // statements named on this connection so far
};

/// A statement sent earlier without waiting (sendPostgres) failed; the statements sent with
/// it after it did not run. Thrown by the call that read its result.
class UnansweredStatementFailed : public Poco::Data::DataException {
 public:
  explicit UnansweredStatementFailed(const std::string& message) : Poco::Data::DataException(message) {}
};

/// Runs `sql` (written with `?` placeholders) with `params` on `connection`, reading any rows
/// into `rows` (when not null); returns the number of rows changed. With `statements`, the
/// statement is prepared once and kept; without, it is sent with its parameters in one
/// message (an unnamed statement). Statements still unanswered (sendPostgres) run first,
/// in the same round trip. Values go as text, typed by the server from the
/// statement, as Poco sent them; results map to integers (integer and boolean columns),
/// reals (floating and fractional numeric columns) and text. Errors throw
/// Poco::Data::DataException with the server's message and SQLSTATE.
std::size_t runPostgres(pg_conn* connection, PostgresStatements* statements, const std::string& sql,
                        const Params& params, Rows* rows);

/// Sends `sql` with `params` without waiting for its result (libpq's pipeline mode): it runs,
/// in order, before the next statement that waits, in that statement's round trip, and its
/// failure is thrown by that call as UnansweredStatementFailed. For writes whose result no
/// one reads (history rows, outbox rows). Without `statements`, it runs at once.
void sendPostgres(pg_conn* connection, PostgresStatements* statements, const std::string& sql, const Params& params);

/// Runs statements without parameters (transaction control) in order, in one round trip:
/// in one message (the simple query protocol), or after the statements still unanswered.
/// Errors throw as runPostgres's do.
void runPostgresScript(pg_conn* connection, PostgresStatements* statements, const std::vector<const char*>& script);

/// Reads the results of the statements still unanswered and drops them, failures included:
/// before the work that sent them is rolled back.
void abandonUnanswered(pg_conn* connection, PostgresStatements* statements);

}  // namespace hookhost::storage::sql
