#include "common/random_bytes.hpp"

#include <sys/random.h>

#include <stdexcept>

namespace hookhost {

std::string randomBytes(std::size_t count) {
  std::string buffer(count, '\0');
  std::size_t filled = 0;
  while (filled < count) {
    ssize_t got = ::getrandom(buffer.data() + filled, count - filled, 0);
    if (got < 0) throw std::runtime_error("getrandom failed");
    filled += static_cast<std::size_t>(got);
  }
  return buffer;
}

}  // namespace hookhost
