#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hookhost::http {

/// Counts open connections per client address so one client cannot hold every server
/// thread (slowloris). Thread-safe; a slot taken must be given back once.
class ClientSlots {
 public:
  explicit ClientSlots(std::size_t perClient) : perClient_(perClient) {}

  /// Takes a slot for `address`; false when it already holds `perClient` connections.
  bool tryAcquire(const std::string& address);
  void release(const std::string& address);

 private:
  const std::size_t perClient_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace hookhost::http
