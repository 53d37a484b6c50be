#include "app/user_commands.hpp"

#include <iostream>
#include <map>
#include <optional>

#include "app/config.hpp"
#include "app/store_location.hpp"
#include "auth/api_keys.hpp"
#include "common/clock.hpp"

namespace hookhost::app {
namespace {

constexpr const char* kUsage =
    "usage: hookhost user add NAME --email ADDR [--role admin|user|publisher] [--config FILE]\n"
    "       hookhost user list [--config FILE]\n"
    "       hookhost user revoke NAME [--config FILE]\n";

struct Parsed {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
};

std::optional<Parsed> parse(const std::vector<std::string>& arguments) {
  Parsed parsed;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (argument.rfind("--", 0) != 0) {
      parsed.positional.push_back(argument);
      continue;
    }
    std::string name = argument.substr(2);
    auto equals = name.find('=');
    if (equals != std::string::npos) {
      parsed.options[name.substr(0, equals)] = name.substr(equals + 1);
      continue;
    }
    if (i + 1 >= arguments.size()) {
      std::cerr << "hookhost: option --" << name << " needs a value\n";
      return std::nullopt;
    }
    parsed.options[name] = arguments[++i];
  }
  for (const auto& [name, value] : parsed.options) {
    if (name != "email" && name != "role" && name != "config") {
      std::cerr << "hookhost: unknown option --" << name << "\n" << kUsage;
      return std::nullopt;
    }
  }
  return parsed;
}

int fail(const std::string& message) {
  std::cerr << "hookhost: " << message << "\n";
  return 1;
}

}  // namespace

int runUserCommand(const std::vector<std::string>& arguments) {
  auto parsed = parse(arguments);
  if (!parsed) return 2;
  if (parsed->positional.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::optional<std::filesystem::path> configFile;
  if (parsed->options.count("config")) configFile = parsed->options["config"];
  const std::string& verb = parsed->positional[0];
  try {
    Config config = Config::load(configFile, Config::processEnvironment());
    if (verb == "add") {
      if (parsed->positional.size() != 2 || !parsed->options.count("email")) {
        std::cerr << kUsage;
        return 2;
      }
      std::string roleText = parsed->options.count("role") ? parsed->options["role"] : "user";
      auto role = storage::parseRole(roleText);
      if (!role) return fail("--role must be admin, user or publisher, not '" + roleText + "'");
      auto store = openStore(config);
      auto added = auth::addUser(*store, parsed->positional[1], parsed->options["email"], *role);
      if (!added) return fail(added.error().message);
      std::cerr << "created " << roleText << " '" << added->user.name
                << "'; its API key is printed below once and stored only as a hash\n";
      std::cout << added->key << std::endl;
      return 0;
    }
    if (verb == "list") {
      auto store = openStore(config);
      for (const auto& user : store->listUsers()) {
        std::cout << user.name << "\t" << user.email << "\t" << storage::roleName(user.role) << "\t"
                  << (user.revokedAt ? "revoked " + formatRfc3339(*user.revokedAt) : "active") << "\n";
      }
      return 0;
    }
    if (verb == "revoke") {
      if (parsed->positional.size() != 2) {
        std::cerr << kUsage;
        return 2;
      }
      auto store = openStore(config);
      auto revoked = store->revokeUser(parsed->positional[1]);
      if (!revoked) return fail(revoked.error().message);
      std::cerr << "revoked '" << parsed->positional[1] << "': its key no longer works\n";
      return 0;
    }
  } catch (const std::exception& error) {
    return fail(error.what());
  }
  std::cerr << "hookhost: unknown user command '" << verb << "'\n" << kUsage;
  return 2;
}

}  // namespace hookhost::app
