#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost::filter {

/// How deep objects may nest in a pattern. Compiling and matching recurse once per nested
/// object, so this bounds their stack; no real payload needs more.
inline constexpr std::size_t kMaxPatternDepth = 64;

enum class MatcherKind { Equals, Prefix, Suffix, AnythingBut, Numeric, Exists };
enum class Comparison { Equal, Less, LessOrEqual, Greater, GreaterOrEqual };

struct NumericBound {
  Comparison comparison = Comparison::Equal;
  double value = 0;
};

/// One element of a pattern's matcher list.
struct Matcher {
  MatcherKind kind = MatcherKind::Equals;
  nlohmann::json literal;               // Equals
  std::string text;                     // Prefix, Suffix
  std::vector<nlohmann::json> values;   // AnythingBut
  std::vector<NumericBound> bounds;     // Numeric: one or two
  bool exists = true;                   // Exists
};

/// A key of a pattern object: either a nested object (`object` indexes the pattern's
/// objects) or a list of matchers of which one must match.
struct FieldRule {
  std::string key;
  std::int32_t object = -1;
  std::vector<Matcher> matchers;
};

struct ObjectRule {
  std::vector<FieldRule> fields;  // all must match
};

/// A handler's content filter (DESIGN.md "Flows"), compiled once from its JSON pattern in
/// the form of Amazon EventBridge event patterns. Immutable after compile, so one instance
/// may be shared by threads.
class EventPattern {
 public:
  /// Checks and compiles `pattern`. A pattern not of the documented form is Unprocessable,
  /// code `invalid_filter`, its message naming `name` and the JSON Pointer of the bad part:
  /// "filter at /DataSets/Success/0: ...". Bounded: never recurses past kMaxPatternDepth.
  static Result<EventPattern> compile(const nlohmann::json& pattern, const std::string& name = "filter");

  /// Whether `payload` matches: every key of every object matches; of a matcher list, one
  /// matcher; where the payload holds an array, any element. Work is linear in pattern
  /// size × payload size; recursion depth is at most the pattern's depth.
  bool matches(const nlohmann::json& payload) const;

  /// The pattern as it was given.
  const nlohmann::json& source() const { return source_; }

 private:
  friend class PatternCompiler;
  bool matchObject(std::size_t object, const nlohmann::json* value) const;
  bool matchField(const FieldRule& field, const nlohmann::json* value) const;

  std::vector<ObjectRule> objects_;  // [0] is the pattern itself
  nlohmann::json source_;
};

}  // namespace hookhost::filter
