#include "storage/sql_connection.hpp"

#include <Poco/Data/MetaColumn.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>

#include "storage/sql_rows.hpp"
#include "storage/sqlite_statements.hpp"

namespace hookhost::storage::sql {
namespace {

using Poco::Data::Keywords::bind;

void bindPoco(Poco::Data::Statement& statement, const Param& param) {
  switch (param.type) {
    case Param::Type::Integer:
      if (param.null) statement, bind(Poco::Nullable<Poco::Int64>());
      else statement, bind(static_cast<Poco::Int64>(param.integer));
      return;
    case Param::Type::Real:
      if (param.null) statement, bind(Poco::Nullable<double>());
      else statement, bind(param.real);
      return;
    case Param::Type::Text:
      if (param.null) statement, bind(Poco::Nullable<std::string>());
      else statement, bind(param.text);
      return;
  }
}

Value pocoValue(Poco::Data::RecordSet& result, std::size_t column, std::size_t row) {
  if (result.isNull(column, row)) return std::monostate{};
  const Poco::Dynamic::Var& value = result.value(column, row);
  switch (result.columnType(column)) {
    case Poco::Data::MetaColumn::FDT_BOOL:
    case Poco::Data::MetaColumn::FDT_INT8:
    case Poco::Data::MetaColumn::FDT_UINT8:
    case Poco::Data::MetaColumn::FDT_INT16:
    case Poco::Data::MetaColumn::FDT_UINT16:
    case Poco::Data::MetaColumn::FDT_INT32:
    case Poco::Data::MetaColumn::FDT_UINT32:
    case Poco::Data::MetaColumn::FDT_INT64:
    case Poco::Data::MetaColumn::FDT_UINT64: return static_cast<std::int64_t>(value.convert<Poco::Int64>());
    case Poco::Data::MetaColumn::FDT_FLOAT:
    case Poco::Data::MetaColumn::FDT_DOUBLE: return value.convert<double>();
    default: return value.convert<std::string>();
  }
}

}  // namespace

Connection::Connection(Poco::Data::Session& session, SqliteStatements* statements)
    : session_(session), dialect_(dialectOf(session)), statements_(statements) {
  if (dialect_ == Dialect::Sqlite) sqlite_ = Poco::Data::SQLite::Utility::dbHandle(session);
}

Rows Connection::query(const std::string& sql, const Params& params) {
  Rows rows;
  run(sql, params, &rows);
  return rows;
}

std::size_t Connection::execute(const std::string& sql, const Params& params) { return run(sql, params, nullptr); }

std::size_t Connection::run(const std::string& sql, const Params& params, Rows* rows) {
  if (sqlite_) return runSqlite(sqlite_, statements_, sql, params, rows);
  Poco::Data::Statement statement(session_);
  statement << forDialect(dialect_, sql);
  for (const Param& param : params.values) bindPoco(statement, param);
  std::size_t changed = statement.execute();
  if (!rows) return changed;
  Poco::Data::RecordSet result(statement);
  std::vector<std::string> columns;
  for (std::size_t column = 0; column < result.columnCount(); ++column) columns.push_back(result.columnName(column));
  std::vector<std::vector<Value>> values(result.rowCount());
  for (std::size_t row = 0; row < values.size(); ++row) {
    for (std::size_t column = 0; column < columns.size(); ++column) values[row].push_back(pocoValue(result, column, row));
  }
  *rows = Rows(std::move(columns), std::move(values));
  return changed;
}

Micros databaseNow(Connection& session) {
  if (session.dialect() != Dialect::Postgres) return nowMicros();
  Rows rows = session.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now", {});
  rows.moveFirst();
  return integer(rows, "now");
}

}  // namespace hookhost::storage::sql
