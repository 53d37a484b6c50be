#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/coalesce_windows.hpp"
#include "dispatch/event_service.hpp"
#include "dispatch/executor.hpp"
#include "dispatch/retry_policy.hpp"
#include "metrics/metrics.hpp"
#include "jobs/job_lifecycle.hpp"
#include "jobs/live_output.hpp"
#include "storage/job_store.hpp"

namespace hookhost::dispatch {

struct DispatcherOptions {
  int workers = 4;
  std::string hostId;                                   // the lease owner name of this host
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds pollInterval{500};          // idle re-check (retries coming due)
  std::chrono::milliseconds timeoutGrace{5'000};        // executors enforce timeouts; this backs them up
  std::chrono::milliseconds callbackTtl{72LL * 3600 * 1000};
  RetryPolicy retry;
  std::size_t maxOutputBytes = 64 * 1024;  // kept per attempt when liveOutputs is not set
  /// Where running attempts' output is followed (GET /v1/jobs/{id}/output); not owned.
  jobs::LiveOutputs* liveOutputs = nullptr;
  /// At start, take back every RUNNING job; honoured only where this host owns its store
  /// alone (SQLite).
  bool recoverAllRunningAtStart = true;
  /// Plugins whose jobs this host leaves to other hosts (they have them, it does not).
  std::function<std::vector<std::string>()> pluginsToLeave;
};

/// Runs queued jobs: worker threads claim jobs with a lease, run each through the executor
/// of its runtime, and hand the outcome to the job lifecycle, which records it fenced by
/// (job, attempt). A housekeeping thread renews leases, times out attempts whose executor
/// overran, and has the lifecycle rescue expired leases.
class Dispatcher final : public FireClaimer {
 public:
  /// Claims through `store`; every end of an attempt goes through `lifecycle`.
  Dispatcher(storage::JobStore& store, jobs::JobLifecycle& lifecycle, EventService& events,
             metrics::HostMetrics& metrics, DispatcherOptions options);
  ~Dispatcher() override;

  /// Registers the executor for a runtime; before start(). Not owned. Throws
  /// std::logic_error when the runtime has one already.
  void addExecutor(Runtime runtime, Executor& executor);
  /// Recovers what a crash left behind, then starts the threads.
  void start();
  /// Stops claiming, lets running attempts finish (up to `drainFor`), and joins. Jobs still
  /// queued stay durable for the next start.
  /// Returns false when attempts were still running at the bound (their threads are left
  /// behind; the caller should exit the process, and the next start recovers the jobs).
  bool stop(std::chrono::milliseconds drainFor);
  /// New work may be available.
  void wake();

  /// Fires lease jobs for this dispatcher's idle workers (FireClaimer; it registers itself
  /// with the EventService). Thread-safe.
  storage::ClaimRequest reserveForFire() override;
  void claimedWithFire(std::vector<storage::ClaimedJob> jobs, bool firedJobs) override;

  std::size_t runningCount() const;
  /// The jobs this dispatcher holds and has not recorded the end of: running, finished but
  /// not yet durable, or claimed and waiting for a worker. After a stop() that returned
  /// false, what was abandoned.
  std::vector<std::int64_t> unfinishedJobs() const;

 private:
  struct Running {
    int attempt;
    std::chrono::steady_clock::time_point deadline;
    bool abandoned = false;  // completed as TIMED_OUT by housekeeping
    bool finished = false;   // the executor answered; its completion is being recorded
  };

  /// A completion not yet durable.
  struct Unrecorded {
    jobs::AttemptKey key;
    jobs::AttemptEnd end;
  };

  /// What a claim of `limit` jobs asks the store for (this host, its lease, the plugins it
  /// leaves to others).
  storage::ClaimRequest claimRequest(std::size_t limit) const;
  /// The worker count claims are sized by: at least one.
  std::size_t workerCount() const;
  void workerLoop();
  void recordCompletion(Unrecorded pending);
  void recordAgain();
  bool takeJob(storage::ClaimedJob& job);
  void runJob(const storage::ClaimedJob& job);
  /// The executor's outcome as the trigger it is for the job's table.
  jobs::AttemptEnd attemptEndOf(const storage::ClaimedJob& job, const RunOutcome& outcome,
                                class JobRunContext& context);
  void housekeepingLoop();
  void finishAbandoned();

  storage::JobStore& store_;
  jobs::JobLifecycle& lifecycle_;
  EventService& events_;
  metrics::HostMetrics& metrics_;
  DispatcherOptions options_;
  std::map<Runtime, Executor*> executors_;

  mutable std::mutex mutex_;
  // Workers wait on wake_ (new work, a claim's jobs); stop() and housekeeping on drained_
  // (jobs ending while stopping). Apart, a fire wakes one worker instead of every thread.
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<storage::ClaimedJob> ready_;
  bool claiming_ = false;
  int waitingForClaim_ = 0;     // workers idle until the claim in flight returns
  int idle_ = 0;                // workers waiting for new work
  std::size_t fireClaimLimit_ = 0;  // what the fire claiming for this dispatcher asked for
  std::size_t claimBatch_ = 1;  // jobs asked for by the next claim
  bool stopping_ = false;
  std::uint64_t wakeups_ = 0;
  std::map<std::int64_t, Running> running_;
  std::vector<Unrecorded> unrecorded_;  // their jobs are still in running_
  std::size_t unrecordedLogged_ = 0;    // housekeeping thread only: the count last logged
  std::vector<std::thread> threads_;
  CoalesceWindows windows_{lifecycle_, [this] { wake(); }};  // last: its thread calls wake()
};

}  // namespace hookhost::dispatch
