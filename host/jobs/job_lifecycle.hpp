#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "jobs/job_watch.hpp"
#include "jobs/transition.hpp"
#include "storage/handler_store.hpp"
#include "storage/job_store.hpp"

namespace hookhost::jobs {

/// The attempt of a claimed job, as its claim told the dispatcher.
struct AttemptKey {
  std::int64_t jobId = 0;
  int attempt = 0;
  int maxAttempts = 1;
};

/// How an attempt ended, as its executor reported it.
struct AttemptEnd {
  Trigger trigger = Trigger::Failed;  // Completed, Failed, TimedOut or Deferred
  std::string result;
  std::string error;
  std::string output;
  std::vector<storage::NewEvent> emitted;  // recorded with a success or a deferral
  std::optional<std::string> tokenHash;    // Deferred: the callback token's hash
  Micros deadlineAfter = 0;                // Deferred: how long the token is good for
  Micros retryAfter = 0;                   // Failed: the delay before a retry, if one is left
};

/// What became of an attempt's end once durable: applied (moving the job to `next`) or stale.
struct AttemptRecorded {
  storage::CompletionOutcome outcome = storage::CompletionOutcome::Applied;
  JobState next = JobState::Failed;
};

/// A job this host stopped running in-process: its attempts were lost with their host.
struct InProcessFailure {
  std::string plugin;  // "<plugin>/<handler>"
  std::int64_t jobId = 0;
  std::string error;
};

struct LifecycleOptions {
  /// Whether a plugin handler ("<plugin>/<handler>") runs inside the host's process.
  std::function<bool(const std::string& plugin)> runsInProcess;
  /// Re-runs are refused past this many queued jobs (dispatch.max_queued), as fires are.
  std::int64_t maxQueued = 100'000;
  /// Tells the dispatchers that jobs were queued other than by a fire (re-runs).
  std::function<void()> jobsQueued;
};

/// Every change of a job's state: it asks the table (decide) and has the store apply the
/// answer through one fenced write, then wakes whoever waits on the job (?wait=, the
/// notifier). The dispatcher, the rescuer, the routes and deregistration all come here.
/// Thread-safe; the store and the watch outlive it.
class JobLifecycle {
 public:
  JobLifecycle(storage::JobStore& jobs, storage::HandlerStore& handlers, JobWatch& watch, LifecycleOptions options);

  /// An attempt ended: decided from the claim alone (no read), written without waiting;
  /// `recorded` as for JobStore::applyTransitionLater (nullopt: not durable).
  void attemptEndedLater(const AttemptKey& key, AttemptEnd end,
                         std::function<void(std::optional<AttemptRecorded>)> recorded);
  /// The same, waiting for the commit.
  storage::CompletionOutcome attemptEnded(const AttemptKey& key, AttemptEnd end);
  /// POST /v1/jobs/{id}/cancel.
  Status cancel(std::int64_t jobId);
  /// POST /v1/jobs/{id}/callback, authorised by the token's hash.
  Status callback(std::int64_t jobId, const std::string& tokenHash, Trigger trigger, const nlohmann::json& data);
  /// Takes back what lost hosts left: expired leases (or, at start, every running job of a
  /// store this host owns alone) and waiting jobs past their deadline.
  storage::RescueCounts rescue(storage::RescueScope scope);
  /// Re-runs (POST /v1/jobs/{id}/rerun, POST /v1/replay): a new job per selected job, made
  /// by the table's rerun rule, all in one transaction; then wakes the dispatchers.
  Result<std::vector<storage::Rerun>> rerun(const storage::RerunSelection& selection);
  /// Coalescing windows that are due go QUEUED (the table's WindowClosed); returns how many.
  int closeDueWindows();
  /// Deregisters the handler; its jobs not yet started are cancelled.
  Status deregisterHandler(std::int64_t handlerId, const storage::User& actor);
  /// The jobs failed since this host started because they took their host down in-process
  /// (GET /v1/plugins shows them).
  std::vector<InProcessFailure> inProcessFailures() const;

 private:
  storage::TransitionWrite writeFor(const AttemptKey& key, AttemptEnd end) const;
  jobs::Decision onLeaseLost(const storage::LostAttempt& lost);

  storage::JobStore& jobs_;
  storage::HandlerStore& handlers_;
  JobWatch& watch_;
  LifecycleOptions options_;
  mutable std::mutex mutex_;
  std::vector<InProcessFailure> inProcessFailures_;
};

}  // namespace hookhost::jobs
