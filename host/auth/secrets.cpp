#include "auth/secrets.hpp"

#include <string>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include "common/random_bytes.hpp"

namespace hookhost::auth {

std::string randomHex(std::size_t bytes) {
  std::string buffer = randomBytes(bytes);
  return Poco::DigestEngine::digestToHex(std::vector<unsigned char>(buffer.begin(), buffer.end()));
}

std::string sha256Hex(std::string_view text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text.data(), static_cast<unsigned>(text.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace hookhost::auth
