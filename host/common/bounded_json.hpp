#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost {

/// The deepest nesting of arrays and objects the host accepts in any JSON it parses. Deeper
/// documents are refused before parsing, because serialising, validating and destroying a
/// parsed value recurse once per level: 100,000 levels overflow the stack.
inline constexpr std::size_t kMaxJsonDepth = 128;

/// The deepest nesting of `[` and `{` in `text`, counting only brackets outside strings, in
/// one linear pass that stops as soon as `limit` is exceeded (then returns limit + 1). For
/// any text, no prefix that nlohmann's parser accepts nests deeper than this.
std::size_t jsonNestingDepth(std::string_view text, std::size_t limit = kMaxJsonDepth);

/// Parses `text` as JSON, refusing it unless it nests at most `maxDepth` deep. Errors are
/// BadRequest with the code `too_deep` or `malformed_json`; callers that are not the REST
/// edge keep the code and use their own kind. Nothing recursive runs on a refused text.
Result<nlohmann::json> parseBoundedJson(std::string_view text, std::size_t maxDepth = kMaxJsonDepth);

}  // namespace hookhost
