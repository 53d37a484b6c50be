#include "storage/sql_dialect.hpp"

#include <regex>

namespace hookhost::storage::sql {

Dialect dialectOf(Poco::Data::Session& session) {
  return session.connector() == "postgresql" ? Dialect::Postgres : Dialect::Sqlite;
}

std::string forDialect(Dialect dialect, const std::string& sql) {
  if (dialect != Dialect::Postgres) return sql;
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$' + std::to_string(next++);
      continue;
    }
    out += c;
  }
  return out;
}

const char* beginWrite(Dialect dialect) { return dialect == Dialect::Postgres ? "BEGIN" : "BEGIN IMMEDIATE"; }

std::string schemaStatement(Dialect dialect, const std::string& sqliteDdl) {
  if (dialect != Dialect::Postgres) return sqliteDdl;
  static const std::regex key("INTEGER PRIMARY KEY AUTOINCREMENT");
  static const std::regex integer("\\bINTEGER\\b");
  return std::regex_replace(std::regex_replace(sqliteDdl, key, "BIGSERIAL PRIMARY KEY"), integer, "BIGINT");
}

const char* lockAndSkipLocked(Dialect dialect) {
  return dialect == Dialect::Postgres ? " FOR UPDATE SKIP LOCKED" : "";
}

const char* lockForUpdate(Dialect dialect) { return dialect == Dialect::Postgres ? " FOR UPDATE" : ""; }

}  // namespace hookhost::storage::sql
