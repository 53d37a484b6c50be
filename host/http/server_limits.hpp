#pragma once

#include <chrono>
#include <cstddef>

namespace hookhost::http {

/// The bounds that keep one client (or a flood of them) from taking the server: threads,
/// the accept queue, how long a client may stay silent, connections per client address and
/// the memory all request bodies together may hold. Read from the `http.*` config keys.
struct ServerLimits {
  int threads = 64;
  int maxQueued = 1024;
  /// Longest pause in a request (a new connection's first byte, a header or body read) and
  /// longest idle time of a keep-alive connection.
  std::chrono::milliseconds headerTimeout{5000};
  std::size_t maxConnectionsPerClient = 32;
  std::size_t bodyBudgetBytes = 64u << 20;
};

}  // namespace hookhost::http
