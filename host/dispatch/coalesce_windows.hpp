#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "jobs/job_lifecycle.hpp"

namespace hookhost::dispatch {

/// Closes coalescing windows when they are due: a thread that asks the lifecycle every
/// `interval` (a read while no window is due) and tells `onQueued` when jobs became QUEUED.
/// start() and stop() from one thread.
class CoalesceWindows {
 public:
  CoalesceWindows(jobs::JobLifecycle& lifecycle, std::function<void()> onQueued,
                  std::chrono::milliseconds interval = std::chrono::milliseconds(50));
  ~CoalesceWindows();
  CoalesceWindows(const CoalesceWindows&) = delete;
  CoalesceWindows& operator=(const CoalesceWindows&) = delete;

  void start();
  void stop();

 private:
  void loop();

  jobs::JobLifecycle& lifecycle_;
  std::function<void()> onQueued_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookhost::dispatch
