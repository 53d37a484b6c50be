#pragma once

#include <cstddef>
#include <string>

namespace hookhost {

/// `count` bytes of kernel randomness (getrandom). Throws std::runtime_error if the kernel
/// refuses, which it does not once booted.
std::string randomBytes(std::size_t count);

}  // namespace hookhost
