#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "common/runtime.hpp"

namespace hookhost::sandbox {

/// Which warm workers a run may share: one user's handlers never share a process with
/// another's, and a new handler version (or a replaced plugin library) never runs in an old
/// process.
struct PoolKey {
  Runtime runtime = Runtime::Python;
  std::string user;
  std::int64_t handlerId = 0;
  int handlerVersion = 0;
  std::string library;  // plugin: the loaded library's path; empty for python

  auto operator<=>(const PoolKey&) const = default;
  /// Same runtime, user and handler, whatever the version and library.
  bool sameHandler(const PoolKey& other) const {
    return runtime == other.runtime && user == other.user && handlerId == other.handlerId;
  }
};

/// "<runtime>:<user>:<handler id>:<version>[:<library>]", for logs and tests.
std::string toString(const PoolKey& key);

}  // namespace hookhost::sandbox
