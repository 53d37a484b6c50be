#include "sandbox/src/pool_key.hpp"

namespace hookhost::sandbox {

std::string toString(const PoolKey& key) {
  std::string text = std::string(runtimeName(key.runtime)) + ":" + key.user + ":" + std::to_string(key.handlerId) +
                     ":" + std::to_string(key.handlerVersion);
  if (!key.library.empty()) text += ":" + key.library;
  return text;
}

}  // namespace hookhost::sandbox
