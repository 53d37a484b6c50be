#pragma once

#include <string>
#include <vector>

namespace hookhost::app {

/// `hookhost user add NAME --email ADDR [--role admin|user|publisher] [--config FILE]`
/// (prints only the new key on stdout), `hookhost user list`, `hookhost user revoke NAME`.
/// Returns the process exit code; errors go to stderr.
int runUserCommand(const std::vector<std::string>& arguments);

}  // namespace hookhost::app
