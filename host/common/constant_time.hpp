#pragma once

#include <string_view>

namespace hookhost {

/// Compares secrets (key and token hashes) in time that depends only on their lengths, so
/// a caller cannot learn how much of a guess was right.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace hookhost
