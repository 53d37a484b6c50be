#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/records.hpp"

namespace hookhost::storage {

/// Users and their API keys. Every write is durable when the call returns; thread-safe.
class UserStore {
 public:
  virtual ~UserStore() = default;

  virtual Result<User> createUser(const std::string& name, const std::string& email, Role role,
                                  const std::string& keyId, const std::string& keyHash) = 0;
  virtual std::vector<User> listUsers() = 0;
  virtual Status revokeUser(const std::string& name) = 0;
  /// A live (not revoked) user by the public part of their key.
  virtual std::optional<UserCredentials> findUserByKeyId(const std::string& keyId) = 0;
  virtual std::int64_t countUsers() = 0;
};

}  // namespace hookhost::storage
