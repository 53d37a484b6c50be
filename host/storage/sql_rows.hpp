#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sql_connection.hpp"
#include "storage/sql_values.hpp"

namespace hookhost::storage::sql {

/// Reads of the current row, with SQL NULL mapped to a fallback or empty.
std::string text(const Rows& rows, const std::string& column);
std::int64_t integer(const Rows& rows, const std::string& column);
std::optional<std::string> optionalText(const Rows& rows, const std::string& column);
std::optional<std::int64_t> optionalInteger(const Rows& rows, const std::string& column);
nlohmann::json json(const Rows& rows, const std::string& column);

std::vector<std::string> stringList(const nlohmann::json& array);

/// "?, ?, ?" for an IN list of `count` values.
std::string placeholders(std::size_t count);

/// "('SUCCEEDED', 'FAILED', …)": the terminal job states as an SQL list, from the lifecycle's
/// one spelling of each (jobs/job_state.hpp), for `state IN` / `NOT IN`.
const std::string& terminalStatesList();

/// Runs a statement and returns its rows. `bind` adds parameters:
///   auto rows = sql::query(session, "SELECT … WHERE id = ?", [&](auto& st) { st, bind(id); });
template <typename Binder>
Rows query(Connection& session, const std::string& sql, Binder&& bindParameters) {
  Params params;
  bindParameters(params);
  return session.query(sql, params);
}

/// Runs a write and returns how many rows it changed.
template <typename Binder>
std::size_t execute(Connection& session, const std::string& sql, Binder&& bindParameters) {
  Params params;
  bindParameters(params);
  return session.execute(sql, params);
}

/// Sends a write whose result no one reads, to run before the next statement
/// (Connection::executeLater).
template <typename Binder>
void executeLater(Connection& session, const std::string& sql, Binder&& bindParameters) {
  Params params;
  bindParameters(params);
  session.executeLater(sql, params);
}

/// Runs an INSERT into a table with an `id` key and returns the new row's id.
template <typename Binder>
std::int64_t insert(Connection& session, const std::string& sql, Binder&& bindParameters) {
  auto rows = query(session, sql + " RETURNING id", std::forward<Binder>(bindParameters));
  rows.moveFirst();
  return integer(rows, "id");
}

}  // namespace hookhost::storage::sql
