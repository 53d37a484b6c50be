#include "storage/sqlite_statements.hpp"

#include <sqlite3.h>

#include <Poco/Data/DataException.h>

namespace hookhost::storage::sql {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& sql) {
  throw Poco::Data::DataException(std::string(sqlite3_errmsg(db)) + " (in: " + sql + ")");
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql, unsigned flags) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1), flags, &statement, nullptr) != SQLITE_OK) {
    sqlite3_finalize(statement);
    fail(db, sql);
  }
  return statement;
}

void bindAll(sqlite3* db, sqlite3_stmt* statement, const std::string& sql, const Params& params) {
  int index = 0;
  for (const Param& param : params.values) {
    ++index;
    int status = SQLITE_OK;
    if (param.null) status = sqlite3_bind_null(statement, index);
    else if (param.type == Param::Type::Integer) status = sqlite3_bind_int64(statement, index, param.integer);
    else if (param.type == Param::Type::Real) status = sqlite3_bind_double(statement, index, param.real);
    // The parameters outlive the statement's run (it is reset before this returns).
    else status = sqlite3_bind_text(statement, index, param.text.data(), static_cast<int>(param.text.size()), SQLITE_STATIC);
    if (status != SQLITE_OK) fail(db, sql);
  }
}

Value columnValue(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_NULL: return std::monostate{};
    case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT: return sqlite3_column_double(statement, column);
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      return std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
    }
  }
}

// Resets a cached statement (its bindings point into the caller's parameters) or finalizes
// one prepared for a single call, however the run ends.
class StatementUse {
 public:
  StatementUse(sqlite3_stmt* statement, bool cached) : statement_(statement), cached_(cached) {}
  ~StatementUse() {
    if (!cached_) {
      sqlite3_finalize(statement_);
      return;
    }
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
  bool cached_;
};

}  // namespace

SqliteStatements::~SqliteStatements() { clear(); }

sqlite3_stmt* SqliteStatements::get(sqlite3* db, const std::string& sql) {
  auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second;
  sqlite3_stmt* statement = prepare(db, sql, SQLITE_PREPARE_PERSISTENT);
  prepared_.emplace(sql, statement);
  return statement;
}

void SqliteStatements::clear() {
  for (auto& [sql, statement] : prepared_) sqlite3_finalize(statement);
  prepared_.clear();
}

std::size_t runSqlite(sqlite3* db, SqliteStatements* statements, const std::string& sql, const Params& params,
                      Rows* rows) {
  sqlite3_stmt* statement = statements ? statements->get(db, sql) : prepare(db, sql, 0);
  StatementUse use(statement, statements != nullptr);
  bindAll(db, statement, sql, params);
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> values;
  const int columnCount = sqlite3_column_count(statement);
  if (rows) {
    for (int column = 0; column < columnCount; ++column) columns.emplace_back(sqlite3_column_name(statement, column));
  }
  for (;;) {
    int status = sqlite3_step(statement);
    if (status == SQLITE_DONE) break;
    if (status != SQLITE_ROW) fail(db, sql);
    if (!rows) continue;
    auto& row = values.emplace_back();
    row.reserve(static_cast<std::size_t>(columnCount));
    for (int column = 0; column < columnCount; ++column) row.push_back(columnValue(statement, column));
  }
  if (rows) *rows = Rows(std::move(columns), std::move(values));
  return static_cast<std::size_t>(sqlite3_changes(db));
}

}  // namespace hookhost::storage::sql
