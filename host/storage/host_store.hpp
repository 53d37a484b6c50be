#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "storage/dispatch_records.hpp"

namespace hookhost::storage {

/// The hosts sharing a store. Thread-safe.
class HostStore {
 public:
  virtual ~HostStore() = default;

  /// Whether other hosts may use this store at once (PostgreSQL) or it is this host's
  /// alone (SQLite), which decides what a starting host may take back.
  virtual Sharing sharing() const = 0;
  /// Records that `host` is alive now (inserting it the first time).
  virtual void heartbeat(const HostInfo& host) = 0;
  /// Hosts whose last heartbeat is at most `within` old.
  virtual std::vector<HostInfo> liveHosts(Micros within) = 0;
  /// A host that stops cleanly leaves the list at once.
  virtual void removeHost(const std::string& hostId) = 0;
};

}  // namespace hookhost::storage
