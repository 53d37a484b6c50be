#include "common/webhook_secret.hpp"

#include <sstream>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>

#include "common/random_bytes.hpp"

namespace hookhost {
namespace {

constexpr std::string_view kPrefix = "whsec_";
constexpr std::size_t kSecretBytes = 32;

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

std::string newWebhookSecret() {
  return std::string(kPrefix) + base64Encode(randomBytes(kSecretBytes));
}

std::optional<std::string> webhookSecretKey(std::string_view secret) {
  if (secret.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::istringstream in(std::string(secret.substr(kPrefix.size())));
  Poco::Base64Decoder decoder(in);
  std::string key;
  try {
    key.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  if (key.empty()) return std::nullopt;
  return key;
}

}  // namespace hookhost
