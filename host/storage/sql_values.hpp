#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <Poco/Nullable.h>

namespace hookhost::storage::sql {

/// One value of a result row: SQL NULL, an integer, a real or text (SQLite's storage classes;
/// PostgreSQL's values are mapped to them).
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// One statement parameter. A NULL keeps its type: PostgreSQL infers parameter types from it.
struct Param {
  enum class Type { Integer, Real, Text };
  Type type = Type::Text;
  bool null = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
};

/// A statement's parameters, in placeholder order; filled as `params, bind(a), bind(b)`.
struct Params {
  std::vector<Param> values;
};

inline Params& operator,(Params& params, Param param) {
  params.values.push_back(std::move(param));
  return params;
}

template <typename T>
Param toParam(const T& value) {
  Param param;
  if constexpr (std::is_integral_v<T>) {
    param.type = Param::Type::Integer;
    param.integer = static_cast<std::int64_t>(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    param.type = Param::Type::Real;
    param.real = value;
  } else {
    param.text = std::string(value);
  }
  return param;
}

template <typename T>
Param toParam(const std::optional<T>& value) {
  if (value) return toParam(*value);
  Param param = toParam(T{});
  param.null = true;
  return param;
}

template <typename T>
Param toParam(const Poco::Nullable<T>& value) {
  if (value.isNull()) return toParam(std::optional<T>());
  return toParam(value.value());
}

/// A parameter from a value; std::optional and Poco::Nullable bind NULL when empty. (A
/// forwarding reference, so std::bind, which argument-dependent lookup also finds for a
/// std::string, is never the better match.)
template <typename T>
Param bind(T&& value) {
  return toParam(value);
}

/// A statement's result, read whole: rows of values under column names.
class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<std::vector<Value>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  std::size_t rowCount() const { return rows_.size(); }
  /// Go to the first row / the next one; false when there is none.
  bool moveFirst() {
    current_ = 0;
    return !rows_.empty();
  }
  bool moveNext() { return ++current_ < rows_.size(); }
  /// The current row's value of `column`; throws for a column the result does not have.
  const Value& operator[](const std::string& column) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Value>> rows_;
  std::size_t current_ = 0;
};

}  // namespace hookhost::storage::sql
