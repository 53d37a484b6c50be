#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "metrics/metrics.hpp"
#include "storage/retention.hpp"

namespace hookhost::dispatch {

struct RetentionLoopOptions {
  /// `data.retention`: what is older goes; zero keeps everything (the loop never runs).
  std::chrono::milliseconds retention{0};
  /// The mail spool to prune too; empty for none.
  std::filesystem::path spoolDir;
  /// Between passes: a few times a minute, more often for a retention shorter than that.
  std::chrono::milliseconds interval{15'000};
  /// Between the batches of a pass, so the writer's other work goes first.
  std::chrono::milliseconds pause{20};
  /// Batches per pass at most; the rest waits for the next pass.
  int maxBatches = 1000;
};

/// Applies the retention off the hot path: on its own thread, a pass every `interval`
/// prunes the store batch by batch (pausing between them) and then the spool, and counts
/// what went in `metrics`. Thread-safe; start() and stop() from one thread.
class RetentionLoop {
 public:
  RetentionLoop(storage::Pruner& pruner, metrics::HostMetrics& metrics, RetentionLoopOptions options);
  ~RetentionLoop();
  RetentionLoop(const RetentionLoop&) = delete;
  RetentionLoop& operator=(const RetentionLoop&) = delete;

  /// Starts the thread, unless the retention is zero.
  void start();
  void stop();
  /// One pass now, on the caller's thread; returns the jobs it removed.
  std::int64_t runOnce();

 private:
  void loop();
  /// Waits `wait` or until stop(); true when stopping.
  bool stoppedWithin(std::chrono::milliseconds wait);

  storage::Pruner& pruner_;
  metrics::HostMetrics& metrics_;
  RetentionLoopOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookhost::dispatch
