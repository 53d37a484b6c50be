#include "dispatch/coalesce_windows.hpp"

#include <Poco/Logger.h>

#include <utility>

namespace hookhost::dispatch {

CoalesceWindows::CoalesceWindows(jobs::JobLifecycle& lifecycle, std::function<void()> onQueued,
                                 std::chrono::milliseconds interval)
    : lifecycle_(lifecycle), onQueued_(std::move(onQueued)), interval_(interval) {}

CoalesceWindows::~CoalesceWindows() { stop(); }

void CoalesceWindows::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void CoalesceWindows::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CoalesceWindows::loop() {
  std::unique_lock lock(mutex_);
  while (!stopped_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (lifecycle_.closeDueWindows() > 0 && onQueued_) onQueued_();
    } catch (const std::exception& error) {
      // The window stays PENDING and durable; the next tick tries again.
      Poco::Logger::get("hookhost.dispatch").error("closing coalescing windows failed: %s", std::string(error.what()));
    }
    lock.lock();
  }
}

}  // namespace hookhost::dispatch
