#include "storage/records.hpp"

namespace hookhost::storage {

const char* roleName(Role role) {
  switch (role) {
    case Role::Admin: return "admin";
    case Role::User: return "user";
    case Role::Publisher: return "publisher";
  }
  return "user";
}

std::optional<Role> parseRole(const std::string& text) {
  if (text == "admin") return Role::Admin;
  if (text == "user") return Role::User;
  if (text == "publisher") return Role::Publisher;
  return std::nullopt;
}

}  // namespace hookhost::storage
