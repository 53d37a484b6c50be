// Matching a compiled content filter against a payload; compiling is in event_pattern_compile.cpp.
#include "filter/event_pattern.hpp"

#include <algorithm>
#include <utility>

namespace hookhost::filter {
namespace {

using nlohmann::json;

// Calls `test` on every value of `value` that is not an array, flattening arrays of arrays,
// until one passes. Iterative, so a deeply nested payload array costs heap, not stack.
template <typename Test>
bool anyElement(const json& value, Test&& test) {
  if (!value.is_array()) return test(value);
  std::vector<std::pair<const json*, std::size_t>> open{{&value, 0}};
  while (!open.empty()) {
    auto& [array, next] = open.back();
    if (next == array->size()) {
      open.pop_back();
      continue;
    }
    const json& element = (*array)[next++];
    if (element.is_array()) {
      open.emplace_back(&element, 0);
    } else if (test(element)) {
      return true;
    }
  }
  return false;
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool withinBound(double value, const NumericBound& bound) {
  switch (bound.comparison) {
    case Comparison::Equal:
      return value == bound.value;
    case Comparison::Less:
      return value < bound.value;
    case Comparison::LessOrEqual:
      return value <= bound.value;
    case Comparison::Greater:
      return value > bound.value;
    case Comparison::GreaterOrEqual:
      return value >= bound.value;
  }
  return false;
}

// One matcher other than `exists` against one payload value that is not an array.
bool matchesValue(const Matcher& matcher, const json& value) {
  switch (matcher.kind) {
    case MatcherKind::Equals:
      return value == matcher.literal;
    case MatcherKind::Prefix:
      return value.is_string() && value.get_ref<const std::string&>().rfind(matcher.text, 0) == 0;
    case MatcherKind::Suffix:
      return value.is_string() && endsWith(value.get_ref<const std::string&>(), matcher.text);
    case MatcherKind::AnythingBut:
      return std::none_of(matcher.values.begin(), matcher.values.end(),
                          [&](const json& excluded) { return value == excluded; });
    case MatcherKind::Numeric: {
      if (!value.is_number()) return false;
      const double number = value.get<double>();
      return std::all_of(matcher.bounds.begin(), matcher.bounds.end(),
                         [&](const NumericBound& bound) { return withinBound(number, bound); });
    }
    case MatcherKind::Exists:
      return true;
  }
  return false;
}

const json* member(const json* value, const std::string& key) {
  if (value == nullptr || !value->is_object()) return nullptr;
  auto it = value->find(key);
  return it == value->end() ? nullptr : &*it;
}

}  // namespace

bool EventPattern::matches(const json& payload) const { return matchObject(0, &payload); }

// `value` is null where the payload has nothing at this path: then only `exists: false`
// can match below it.
bool EventPattern::matchObject(std::size_t object, const json* value) const {
  const auto& fields = objects_[object].fields;
  return std::all_of(fields.begin(), fields.end(),
                     [&](const FieldRule& field) { return matchField(field, member(value, field.key)); });
}

bool EventPattern::matchField(const FieldRule& field, const json* value) const {
  if (field.object >= 0) {
    const auto nested = static_cast<std::size_t>(field.object);
    if (value == nullptr) return matchObject(nested, nullptr);
    return anyElement(*value, [&](const json& element) { return matchObject(nested, &element); });
  }
  return std::any_of(field.matchers.begin(), field.matchers.end(), [&](const Matcher& matcher) {
    // `exists` is about the field itself, whatever it holds (an empty array exists too).
    if (matcher.kind == MatcherKind::Exists) return (value != nullptr) == matcher.exists;
    if (value == nullptr) return false;
    return anyElement(*value, [&](const json& element) { return matchesValue(matcher, element); });
  });
}

}  // namespace hookhost::filter
