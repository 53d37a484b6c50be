// The Dispatcher's housekeeping thread: while jobs run it renews their leases, ends the
// attempts whose handler outlived its timeout, retries completions the store refused, and
// rescues the jobs whose leases expired on any host.
#include <chrono>
#include <utility>
#include <vector>

#include "dispatch/dispatch_support.hpp"
#include "dispatch/dispatcher.hpp"

namespace hookhost::dispatch {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

void Dispatcher::housekeepingLoop() {
  auto renewEvery = std::max(std::chrono::milliseconds(100), options_.lease / 3);
  auto tick = std::min(renewEvery, std::chrono::milliseconds(1000));
  auto lastRenew = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_ || !running_.empty()) {
    // Works once per tick (each pass writes); ends early only when the drain is over.
    if (drained_.wait_until(lock, Clock::now() + tick,
                            [this] { return stopping_ && running_.empty() && ready_.empty(); })) {
      return;
    }
    // Claimed jobs still waiting for a free worker hold leases too.
    std::vector<std::int64_t> ids;
    for (const auto& [id, running] : running_) {
      if (!running.abandoned) ids.push_back(id);
    }
    for (const auto& job : ready_) ids.push_back(job.jobId);
    // Read under the lock: stop() sets it from another thread.
    const bool stopping = stopping_;
    lock.unlock();
    try {
      if (Clock::now() - lastRenew >= renewEvery) {
        store_.renewLeases(options_.hostId, ids, micros(options_.lease));
        lastRenew = Clock::now();
      }
      finishAbandoned();
      recordAgain();
      if (!stopping) {
        auto rescued = lifecycle_.rescue(storage::RescueScope::ExpiredLeases);
        if (rescued.requeued + rescued.failed + rescued.timedOut > 0) {
          metrics_.jobsRescued.add(rescued.requeued + rescued.failed);
          wake();
        }
      }
    } catch (const std::exception& error) {
      logger().error("housekeeping failed: %s", std::string(error.what()));
    }
    lock.lock();
  }
}

void Dispatcher::finishAbandoned() {
  std::vector<std::pair<std::int64_t, int>> overdue;
  {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    for (auto& [id, running] : running_) {
      if (!running.abandoned && !running.finished && running.deadline < now) {
        running.abandoned = true;
        overdue.emplace_back(id, running.attempt);
      }
    }
  }
  for (const auto& [id, attempt] : overdue) {
    // The executor did not stop the handler in time; the job ends now, and whatever the
    // executor reports later is stale.
    jobs::AttemptEnd end;
    end.trigger = jobs::Trigger::TimedOut;
    end.error = "timed out: the handler did not stop within its timeout";
    lifecycle_.attemptEnded({id, attempt, attempt}, std::move(end));  // a timeout is never retried
  }
}

}  // namespace hookhost::dispatch
