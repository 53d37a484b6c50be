#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/host_store.hpp"

namespace hookhost::dispatch {

struct HostPresenceOptions {
  std::string hostId;
  std::string address;                                    // where this host's API listens
  std::function<std::vector<std::string>()> localPlugins;  // names of the plugins loaded here
  std::chrono::milliseconds interval{1000};
};

/// Keeps this host's row in the store's host list fresh (a heartbeat), and learns from the
/// other live hosts which plugins only they have, so their jobs are left to them. A host
/// counts as live while its last heartbeat is at most three intervals old.
/// Thread-safe; the heartbeat runs on its own thread between start() and stop().
class HostPresence {
 public:
  HostPresence(storage::HostStore& store, HostPresenceOptions options);
  ~HostPresence();
  HostPresence(const HostPresence&) = delete;
  HostPresence& operator=(const HostPresence&) = delete;

  void start();
  /// Stops the heartbeat and removes this host from the list.
  void stop();

  /// Plugins other live hosts have loaded and this one has not.
  std::vector<std::string> pluginsToLeave() const;
  /// The live hosts, this one included. Throws what the store throws.
  std::vector<storage::HostInfo> liveHosts();

 private:
  void beat();
  void loop();
  Micros liveWithin() const;

  storage::HostStore& store_;
  HostPresenceOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::string> pluginsToLeave_;
  std::thread thread_;
};

}  // namespace hookhost::dispatch
