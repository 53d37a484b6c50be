#include "auth/api_keys.hpp"

#include <regex>

#include "auth/secrets.hpp"
#include "common/constant_time.hpp"
#include "common/email_address.hpp"

namespace hookhost::auth {
namespace {

constexpr std::string_view kBearer = "Bearer ";

Error unauthorized(const std::string& message) {
  return makeError(ErrorKind::Unauthorized, "unauthorized", message);
}

bool validUserName(const std::string& name) {
  static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  return std::regex_match(name, pattern);
}

}  // namespace

IssuedKey issueKey() {
  IssuedKey issued;
  issued.keyId = randomHex(6);
  issued.key = "hh_" + issued.keyId + "_" + randomHex(20);
  issued.hash = sha256Hex(issued.key);
  return issued;
}

Result<NewUser> addUser(storage::UserStore& store, const std::string& name, const std::string& email,
                        storage::Role role) {
  if (!validUserName(name)) {
    return makeError(ErrorKind::Unprocessable, "invalid_name",
                     "user name '" + name + "' must be 1-64 letters, digits, '.', '_', '@' or '-'");
  }
  if (!isValidEmailAddress(email)) {
    return makeError(ErrorKind::Unprocessable, "invalid_email", "'" + email + "' is not an email address");
  }
  IssuedKey issued = issueKey();
  auto user = store.createUser(name, email, role, issued.keyId, issued.hash);
  if (!user) return user.error();
  return NewUser{*user, issued.key};
}

Result<storage::User> authenticate(storage::UserStore& store, const std::optional<std::string>& authorization) {
  if (!authorization || authorization->empty()) {
    return unauthorized("missing Authorization header: send 'Authorization: Bearer <api key>'");
  }
  if (authorization->compare(0, kBearer.size(), kBearer) != 0) {
    return unauthorized("the Authorization header must be 'Bearer <api key>'");
  }
  std::string key = authorization->substr(kBearer.size());
  // hh_<12 hex>_<40 hex>
  if (key.size() != 3 + 12 + 1 + 40 || key.compare(0, 3, "hh_") != 0 || key[15] != '_') {
    return unauthorized("invalid API key");
  }
  auto credentials = store.findUserByKeyId(key.substr(3, 12));
  // Hash even when the id is unknown so both paths cost the same.
  std::string hash = sha256Hex(key);
  if (!credentials || !constantTimeEquals(hash, credentials->keyHash)) return unauthorized("invalid API key");
  return credentials->user;
}

}  // namespace hookhost::auth
