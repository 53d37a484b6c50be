#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "storage/sql_values.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace hookhost::storage::sql {

/// Prepared statements of one SQLite connection, kept between calls: preparing (parsing and
/// planning) was a third of each statement's cost in the issue 8 profile. For the writer's
/// connection, which runs the same few dozen statements all day. Not thread-safe: used by
/// the thread that owns the connection. Must be cleared before the connection closes.
class SqliteStatements {
 public:
  SqliteStatements() = default;
  ~SqliteStatements();
  SqliteStatements(const SqliteStatements&) = delete;
  SqliteStatements& operator=(const SqliteStatements&) = delete;

  /// The statement for `sql` on `db`, prepared on first use.
  sqlite3_stmt* get(sqlite3* db, const std::string& sql);
  /// Finalizes every statement (before their connection closes or reconnects).
  void clear();

 private:
  std::unordered_map<std::string, sqlite3_stmt*> prepared_;
};

/// Runs `sql` with `params` on `db`, reading any rows into `rows` (when not null); returns the
/// number of rows changed. With `statements`, the prepared statement is taken from and left in
/// it; without, it is prepared for this call. Errors throw Poco::Data::DataException, like the
/// rest of the store's database errors.
std::size_t runSqlite(sqlite3* db, SqliteStatements* statements, const std::string& sql, const Params& params,
                      Rows* rows);

}  // namespace hookhost::storage::sql
