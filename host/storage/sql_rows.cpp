#include "storage/sql_rows.hpp"

namespace hookhost::storage::sql {

std::string text(Poco::Data::RecordSet& rows, const std::string& column) {
  if (rows.isNull(column)) return {};
  return rows[column].convert<std::string>();
}

std::int64_t integer(Poco::Data::RecordSet& rows, const std::string& column) {
  if (rows.isNull(column)) return 0;
  return rows[column].convert<Poco::Int64>();
}

std::optional<std::string> optionalText(Poco::Data::RecordSet& rows, const std::string& column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows[column].convert<std::string>();
}

std::optional<std::int64_t> optionalInteger(Poco::Data::RecordSet& rows, const std::string& column) {
  if (rows.isNull(column)) return std::nullopt;
  return rows[column].convert<Poco::Int64>();
}

nlohmann::json json(Poco::Data::RecordSet& rows, const std::string& column) {
  auto parsed = nlohmann::json::parse(text(rows, column), nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
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

}  // namespace hookhost::storage::sql
