#include "storage/sql_rows.hpp"

#include <stdexcept>

#include <Poco/Data/DataException.h>

#include "common/bounded_json.hpp"
#include "jobs/job_state.hpp"
namespace hookhost::storage::sql {

const Value& Rows::operator[](const std::string& column) const {
  if (current_ >= rows_.size()) throw Poco::Data::DataException("no current row to read '" + column + "' from");
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == column) return rows_[current_][i];
  }
  throw Poco::Data::DataException("the result has no column '" + column + "'");
}

std::optional<std::string> optionalText(const Rows& rows, const std::string& column) {
  const Value& value = rows[column];
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* real = std::get_if<double>(&value)) return std::to_string(*real);
  return std::nullopt;
}

std::optional<std::int64_t> optionalInteger(const Rows& rows, const std::string& column) {
  const Value& value = rows[column];
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<std::int64_t>(*real);
  if (const auto* text = std::get_if<std::string>(&value)) {
    try {
      return std::stoll(*text);
    } catch (const std::logic_error&) {
      throw Poco::Data::DataException("column '" + column + "' holds '" + *text + "', not an integer");
    }
  }
  return std::nullopt;
}

std::string text(const Rows& rows, const std::string& column) { return optionalText(rows, column).value_or(""); }

std::int64_t integer(const Rows& rows, const std::string& column) { return optionalInteger(rows, column).value_or(0); }

nlohmann::json json(const Rows& rows, const std::string& column) {
  // Rows hold what the host wrote, but a row is read back by code that recurses over it.
  auto parsed = parseBoundedJson(text(rows, column));
  return parsed ? std::move(parsed).value() : nlohmann::json();
}

std::vector<std::string> stringList(const nlohmann::json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& item : array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

const std::string& terminalStatesList() {
  static const std::string list = [] {
    std::string out;
    for (jobs::JobState state : jobs::kAllJobStates) {
      if (!jobs::isTerminal(state)) continue;
      out += (out.empty() ? "('" : ", '") + std::string(jobs::jobStateName(state)) + "'";
    }
    return out + ")";
  }();
  return list;
}

}  // namespace hookhost::storage::sql
