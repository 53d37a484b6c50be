#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hookhost::auth {

/// `bytes` of kernel randomness (getrandom), hex encoded.
std::string randomHex(std::size_t bytes);

/// SHA-256, hex encoded. Keys and tokens carry 160+ bits of randomness, so a fast hash is
/// enough to make a stolen database useless without making checks slow.
std::string sha256Hex(std::string_view text);

}  // namespace hookhost::auth
