#include "dispatch/retention_loop.hpp"

#include <Poco/Logger.h>

#include "notify/spool_layout.hpp"

namespace hookhost::dispatch {

RetentionLoop::RetentionLoop(storage::Pruner& pruner, metrics::HostMetrics& metrics, RetentionLoopOptions options)
    : pruner_(pruner), metrics_(metrics), options_(std::move(options)) {
  // A retention shorter than the interval would keep rows for up to twice as long.
  options_.interval = std::max(std::chrono::milliseconds(100), std::min(options_.interval, options_.retention / 2));
}

RetentionLoop::~RetentionLoop() { stop(); }

void RetentionLoop::start() {
  if (options_.retention.count() == 0 || thread_.joinable()) return;
  try {
    if (!pruner_.givesSpaceBack()) {
      Poco::Logger::get("hookhost.retention")
          .warning("the SQLite store predates incremental vacuum: pruned rows' space is reused, not returned; "
                   "to shrink the file once, stop the host and run: sqlite3 FILE 'PRAGMA auto_vacuum=INCREMENTAL; VACUUM'");
    }
  } catch (const std::exception&) {
    // Only advice; the passes report a store that fails.
  }
  thread_ = std::thread([this] { loop(); });
}

void RetentionLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RetentionLoop::stoppedWithin(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, wait, [this] { return stopping_; });
}

std::int64_t RetentionLoop::runOnce() {
  if (options_.retention.count() == 0) return 0;
  const Micros cutoff = nowMicros() - std::chrono::duration_cast<std::chrono::microseconds>(options_.retention).count();
  std::int64_t jobs = 0;
  try {
    for (int batch = 0; batch < options_.maxBatches; ++batch) {
      storage::PrunedRows pruned = pruner_.pruneBatch(cutoff);
      metrics_.prunedJobs.add(pruned.jobs);
      metrics_.prunedEvents.add(pruned.events);
      metrics_.prunedNotifications.add(pruned.notifications);
      jobs += pruned.jobs;
      if (!pruned.more || stoppedWithin(options_.pause)) break;
    }
  } catch (const std::exception& error) {
    // A busy or unreachable store: the next pass tries again.
    Poco::Logger::get("hookhost.retention").warning("pruning the store failed: %s", std::string(error.what()));
  }
  if (!options_.spoolDir.empty()) metrics_.prunedMailFiles.add(notify::pruneSpool(options_.spoolDir, cutoff));
  return jobs;
}

void RetentionLoop::loop() {
  while (!stoppedWithin(options_.interval)) runOnce();
}

}  // namespace hookhost::dispatch
