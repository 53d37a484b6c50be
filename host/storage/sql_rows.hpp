#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <nlohmann/json.hpp>

#include "storage/sql_dialect.hpp"

namespace hookhost::storage::sql {

/// Reads of the current row of a RecordSet, with SQL NULL mapped to a fallback or empty.
std::string text(Poco::Data::RecordSet& rows, const std::string& column);
std::int64_t integer(Poco::Data::RecordSet& rows, const std::string& column);
std::optional<std::string> optionalText(Poco::Data::RecordSet& rows, const std::string& column);
std::optional<std::int64_t> optionalInteger(Poco::Data::RecordSet& rows, const std::string& column);
nlohmann::json json(Poco::Data::RecordSet& rows, const std::string& column);

std::vector<std::string> stringList(const nlohmann::json& array);

/// "?, ?, ?" for an IN list of `count` values.
std::string placeholders(std::size_t count);

/// Runs a statement and returns its rows. `bind` adds parameters:
///   auto rows = sql::query(session, "SELECT … WHERE id = ?", [&](auto& st) { st, bind(id); });
template <typename Binder>
Poco::Data::RecordSet query(Poco::Data::Session& session, const std::string& sql, Binder&& bindParameters) {
  Poco::Data::Statement statement(session);
  statement << forDialect(dialectOf(session), sql);
  bindParameters(statement);
  statement.execute();
  return Poco::Data::RecordSet(statement);
}

/// Runs a write and returns how many rows it changed.
template <typename Binder>
std::size_t execute(Poco::Data::Session& session, const std::string& sql, Binder&& bindParameters) {
  Poco::Data::Statement statement(session);
  statement << forDialect(dialectOf(session), sql);
  bindParameters(statement);
  return statement.execute();
}

/// Runs an INSERT into a table with an `id` key and returns the new row's id.
template <typename Binder>
std::int64_t insert(Poco::Data::Session& session, const std::string& sql, Binder&& bindParameters) {
  auto rows = query(session, sql + " RETURNING id", std::forward<Binder>(bindParameters));
  rows.moveFirst();
  return integer(rows, "id");
}

}  // namespace hookhost::storage::sql
