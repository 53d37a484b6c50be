// Checking and compiling a content filter's pattern; matching is in event_pattern.cpp.
#include "filter/event_pattern.hpp"

#include <optional>
#include <utility>

namespace hookhost::filter {
namespace {

using nlohmann::json;

// A JSON Pointer segment (RFC 6901): '~' and '/' escaped.
std::string pointerSegment(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool isScalar(const json& value) { return !value.is_object() && !value.is_array() && !value.is_discarded(); }

}  // namespace

/// Walks the pattern once, depth-checked, filling an EventPattern; the first bad part ends it.
class PatternCompiler {
 public:
  explicit PatternCompiler(std::string name) : name_(std::move(name)) {}

  Result<EventPattern> run(const json& pattern) {
    EventPattern compiled;
    if (!pattern.is_object()) return refuse("", "must be a JSON object whose keys name payload fields");
    if (!compileObject(compiled, pattern, "", 1)) return std::move(*error_);
    compiled.source_ = pattern;  // copying recurses: only once the depth is known to be bounded
    return compiled;
  }

 private:
  Error refuse(const std::string& path, const std::string& reason) {
    std::string where = path.empty() ? name_ : name_ + " at " + path;
    return makeError(ErrorKind::Unprocessable, "invalid_filter", where + ": " + reason);
  }

  bool fail(const std::string& path, const std::string& reason) {
    error_ = refuse(path, reason);
    return false;
  }

  // Appends the rule for `object` to the pattern's objects; its index is the one it had when
  // compileObject began, because nested objects are appended after it.
  bool compileObject(EventPattern& compiled, const json& object, const std::string& path, std::size_t depth) {
    if (depth > kMaxPatternDepth) {
      return fail(path, "nests deeper than " + std::to_string(kMaxPatternDepth) + " objects");
    }
    if (object.empty()) return fail(path, "must not be an empty object");
    const std::size_t index = compiled.objects_.size();
    compiled.objects_.emplace_back();
    for (const auto& [key, value] : object.items()) {
      const std::string fieldPath = path + "/" + pointerSegment(key);
      FieldRule field;
      field.key = key;
      if (value.is_object()) {
        field.object = static_cast<std::int32_t>(compiled.objects_.size());
        if (!compileObject(compiled, value, fieldPath, depth + 1)) return false;
      } else if (value.is_array()) {
        if (value.empty()) return fail(fieldPath, "must list at least one matcher");
        for (std::size_t i = 0; i < value.size(); ++i) {
          auto matcher = compileMatcher(value[i], fieldPath + "/" + std::to_string(i));
          if (!matcher) return false;
          field.matchers.push_back(std::move(*matcher));
        }
      } else {
        return fail(fieldPath, "must be an object (to match nested fields) or an array of matchers");
      }
      compiled.objects_[index].fields.push_back(std::move(field));
    }
    return true;
  }

  std::optional<Matcher> compileMatcher(const json& element, const std::string& path) {
    Matcher matcher;
    if (isScalar(element)) {
      matcher.literal = element;
      return matcher;
    }
    if (!element.is_object() || element.size() != 1) {
      fail(path, "a matcher is a string, number, boolean, null or an object with one of prefix, suffix, "
                 "anything-but, numeric, exists");
      return std::nullopt;
    }
    const std::string& kind = element.begin().key();
    const json& operand = element.begin().value();
    const std::string operandPath = path + "/" + pointerSegment(kind);
    bool ok = false;
    if (kind == "prefix" || kind == "suffix") {
      matcher.kind = kind == "prefix" ? MatcherKind::Prefix : MatcherKind::Suffix;
      ok = operand.is_string() || fail(operandPath, "must be a string");
      if (ok) matcher.text = operand.get<std::string>();
    } else if (kind == "anything-but") {
      matcher.kind = MatcherKind::AnythingBut;
      ok = compileAnythingBut(matcher, operand, operandPath);
    } else if (kind == "numeric") {
      matcher.kind = MatcherKind::Numeric;
      ok = compileNumeric(matcher, operand, operandPath);
    } else if (kind == "exists") {
      matcher.kind = MatcherKind::Exists;
      ok = operand.is_boolean() || fail(operandPath, "must be true or false");
      if (ok) matcher.exists = operand.get<bool>();
    } else {
      fail(operandPath, "unknown matcher \"" + kind +
                            "\"; the matchers are prefix, suffix, anything-but, numeric, exists");
    }
    if (!ok) return std::nullopt;
    return matcher;
  }

  bool compileAnythingBut(Matcher& matcher, const json& operand, const std::string& path) {
    if (isScalar(operand)) {
      matcher.values.push_back(operand);
      return true;
    }
    if (!operand.is_array() || operand.empty()) return fail(path, "must be a non-empty array of values");
    for (std::size_t i = 0; i < operand.size(); ++i) {
      if (!isScalar(operand[i])) {
        return fail(path + "/" + std::to_string(i), "must be a string, number, boolean or null");
      }
      matcher.values.push_back(operand[i]);
    }
    return true;
  }

  static std::optional<Comparison> comparisonNamed(const json& op) {
    if (!op.is_string()) return std::nullopt;
    const std::string& name = op.get_ref<const std::string&>();
    if (name == "=") return Comparison::Equal;
    if (name == "<") return Comparison::Less;
    if (name == "<=") return Comparison::LessOrEqual;
    if (name == ">") return Comparison::Greater;
    if (name == ">=") return Comparison::GreaterOrEqual;
    return std::nullopt;
  }

  static bool isLower(Comparison c) { return c == Comparison::Greater || c == Comparison::GreaterOrEqual; }
  static bool isUpper(Comparison c) { return c == Comparison::Less || c == Comparison::LessOrEqual; }

  bool compileNumeric(Matcher& matcher, const json& operand, const std::string& path) {
    if (!operand.is_array() || (operand.size() != 2 && operand.size() != 4)) {
      return fail(path, "must be [op, number] or [lower op, number, upper op, number], e.g. [\">\", 0, \"<=\", 5]");
    }
    for (std::size_t i = 0; i < operand.size(); i += 2) {
      auto comparison = comparisonNamed(operand[i]);
      if (!comparison) {
        return fail(path + "/" + std::to_string(i), "must be one of \"=\", \"<\", \"<=\", \">\", \">=\"");
      }
      if (!operand[i + 1].is_number()) return fail(path + "/" + std::to_string(i + 1), "must be a number");
      matcher.bounds.push_back({*comparison, operand[i + 1].get<double>()});
    }
    if (matcher.bounds.size() == 2 &&
        !(isLower(matcher.bounds[0].comparison) && isUpper(matcher.bounds[1].comparison))) {
      return fail(path, "a range is a lower bound (\">\" or \">=\") then an upper bound (\"<\" or \"<=\")");
    }
    return true;
  }

  std::string name_;
  std::optional<Error> error_;
};

Result<EventPattern> EventPattern::compile(const json& pattern, const std::string& name) {
  return PatternCompiler(name).run(pattern);
}

}  // namespace hookhost::filter
