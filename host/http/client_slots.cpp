#include "http/client_slots.hpp"

namespace hookhost::http {

bool ClientSlots::tryAcquire(const std::string& address) {
  std::lock_guard lock(mutex_);
  std::size_t& open = open_[address];
  if (open >= perClient_) return false;
  ++open;
  return true;
}

void ClientSlots::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);  // the map holds only clients that are connected
}

}  // namespace hookhost::http
