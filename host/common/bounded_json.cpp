#include "common/bounded_json.hpp"

#include <string>

namespace hookhost {

std::size_t jsonNestingDepth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool inString = false;
  bool escaped = false;
  for (char c : text) {
    if (inString) {
      // The same string boundaries as the parser: a backslash escapes exactly one character.
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return limit + 1;
        break;
      case ']':
      case '}':
        // An unmatched close is malformed; the parser stops there, so nothing after it counts
        // towards what it would build.
        if (depth == 0) return deepest;
        --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

Result<nlohmann::json> parseBoundedJson(std::string_view text, std::size_t maxDepth) {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) {
    return makeError(ErrorKind::BadRequest, "too_deep",
                     "the JSON nests deeper than " + std::to_string(maxDepth) + " levels of arrays and objects");
  }
  auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded()) return makeError(ErrorKind::BadRequest, "malformed_json", "the text is not valid JSON");
  return parsed;
}

}  // namespace hookhost
