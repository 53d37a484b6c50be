#include "dispatch/host_presence.hpp"

#include <set>

#include <Poco/Logger.h>

namespace hookhost::dispatch {

HostPresence::HostPresence(storage::HostStore& store, HostPresenceOptions options)
    : store_(store), options_(std::move(options)) {}

HostPresence::~HostPresence() { stop(); }

void HostPresence::start() {
  // The first beat happens before start() returns, so /health lists this host at once.
  beat();
  thread_ = std::thread([this] { loop(); });
}

void HostPresence::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    store_.removeHost(options_.hostId);
  } catch (const std::exception& error) {
    // Not fatal: the row ages out of the live list by itself.
    Poco::Logger::get("hookhost.hosts").warning("could not remove this host from the host list: %s",
                                                std::string(error.what()));
  }
}

std::vector<std::string> HostPresence::pluginsToLeave() const {
  std::lock_guard lock(mutex_);
  return pluginsToLeave_;
}

std::vector<storage::HostInfo> HostPresence::liveHosts() { return store_.liveHosts(liveWithin()); }

Micros HostPresence::liveWithin() const {
  return 3 * std::chrono::duration_cast<std::chrono::microseconds>(options_.interval).count();
}

void HostPresence::beat() {
  try {
    storage::HostInfo self;
    self.id = options_.hostId;
    self.address = options_.address;
    if (options_.localPlugins) self.plugins = options_.localPlugins();
    store_.heartbeat(self);

    std::set<std::string> mine(self.plugins.begin(), self.plugins.end());
    std::set<std::string> elsewhere;
    for (const auto& host : liveHosts()) {
      if (host.id == self.id) continue;
      for (const auto& plugin : host.plugins) {
        if (!mine.count(plugin)) elsewhere.insert(plugin);
      }
    }
    std::lock_guard lock(mutex_);
    pluginsToLeave_.assign(elsewhere.begin(), elsewhere.end());
  } catch (const std::exception& error) {
    Poco::Logger::get("hookhost.hosts").error("heartbeat failed: %s", std::string(error.what()));
  }
}

void HostPresence::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    beat();
    lock.lock();
  }
}

}  // namespace hookhost::dispatch
