#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "storage/records.hpp"
#include "storage/user_store.hpp"

namespace hookhost::auth {

/// An API key as shown once to its user: `hh_<key id>_<secret>`. The key id is public and
/// indexes the user; the whole key is stored only as a hash.
struct IssuedKey {
  std::string key;
  std::string keyId;
  std::string hash;
};

IssuedKey issueKey();

/// Creates a user with a fresh key; the key is in the result and nowhere else.
struct NewUser {
  storage::User user;
  std::string key;
};
Result<NewUser> addUser(storage::UserStore& store, const std::string& name, const std::string& email,
                        storage::Role role);

/// Checks an `Authorization` header value. Unauthorized (never which part was wrong) when
/// it is missing, malformed, unknown, revoked or does not match.
Result<storage::User> authenticate(storage::UserStore& store, const std::optional<std::string>& authorization);

}  // namespace hookhost::auth
