#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace hookhost::jobs {

/// Lets callers wait for job state changes without polling the store in a tight loop:
/// the lifecycle calls changed() after every transition it commits; waiters re-check
/// their condition each time. Thread-safe.
class JobWatch {
 public:
  void changed() {
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    cv_.notify_all();
    if (listener_) listener_();
  }

  /// Also told of every change (the notifier: a job's end may have queued an email). Set
  /// before the threads that call changed() start.
  void setListener(std::function<void()> listener) { listener_ = std::move(listener); }

  /// Waits until `done()` is true or `timeout` passes; returns done()'s last answer.
  bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::uint64_t seen;
      {
        std::lock_guard lock(mutex_);
        seen = generation_;
      }
      if (done()) return true;
      std::unique_lock lock(mutex_);
      // A bounded slice also covers changes made by another host sharing the store, which
      // nothing here is told of.
      auto slice = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
      cv_.wait_until(lock, slice, [&] { return generation_ != seen; });
      if (std::chrono::steady_clock::now() >= deadline) {
        lock.unlock();
        return done();
      }
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;
  std::function<void()> listener_;
};

}  // namespace hookhost::jobs
