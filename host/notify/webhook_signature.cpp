#include "notify/webhook_signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/webhook_secret.hpp"

namespace hookhost::notify {

std::optional<std::string> signWebhook(std::string_view secret, std::string_view id, std::int64_t timestamp,
                                       std::string_view body) {
  auto key = webhookSecretKey(secret);
  if (!key) return std::nullopt;
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()), reinterpret_cast<const unsigned char*>(content.data()),
           content.size(), digest, &length) == nullptr) {
    return std::nullopt;
  }
  return "v1," + base64Encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace hookhost::notify
