#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hookhost::metrics {

/// A monotonically increasing count; lock-free.
class Counter {
 public:
  void add(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// A Prometheus histogram of seconds with fixed buckets; lock-free.
class Histogram {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,   10,    60};
  void observe(double seconds);
  void render(std::string& out, const std::string& name, const std::string& help) const;

 private:
  std::array<std::atomic<std::int64_t>, kBuckets.size()> counts_{};
  std::atomic<std::int64_t> total_{0};
  std::atomic<std::int64_t> sumMicros_{0};
};

/// Everything /metrics shows. Subsystems bump the counters; gauges are read at scrape
/// time from the store through `jobsByState` and `queueDepth`.
struct HostMetrics {
  Counter eventsFired;
  Counter jobsStarted;
  Counter jobsRetried;
  Counter jobsRescued;
  Counter staleCompletions;
  // What retention removed (dispatch/retention_loop.hpp).
  Counter prunedJobs;
  Counter prunedEvents;
  Counter prunedNotifications;
  Counter prunedMailFiles;
  Histogram fireToStart;
  Histogram runTime;
  std::function<std::vector<std::pair<std::string, std::int64_t>>()> jobsByState;
  std::function<std::int64_t()> queueDepth;
  /// Sandboxed workers started (cold starts), a counter kept by the worker pool.
  std::function<std::int64_t()> sandboxWorkersStarted;
  struct NotificationCounts {
    std::int64_t sent = 0, retried = 0, failed = 0;
  };
  std::function<NotificationCounts()> notifications;         // mail: {channel="mail"}
  std::function<NotificationCounts()> webhookNotifications;  // {channel="webhook"}

  /// Prometheus text exposition format 0.0.4.
  std::string render() const;
};

}  // namespace hookhost::metrics
