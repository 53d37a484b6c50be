#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "dispatch/executor.hpp"
#include "sandbox/src/pool_key.hpp"
#include "sandbox/src/process_spawner.hpp"
#include "sandbox/src/sandbox_options.hpp"
#include "sandbox/src/worker.hpp"

namespace hookhost::sandbox {

/// How to start a worker for one pool key.
struct WorkerSpec {
  /// Workers are shared only within one key.
  PoolKey poolKey;
  /// The command inside the sandbox (absolute paths; e.g. {"/usr/bin/python3", "-I",
  /// "<runner dir>/hookhost_runner.py"}).
  std::vector<std::string> argv;
  /// Host paths the command needs, bound read-only at the same path (the runner's folder, a
  /// plugin library, the plugin worker binary). Nothing else of the host is visible.
  std::vector<std::string> extraReadOnlyBinds;
  /// The protocol's "load" message, sent once per process.
  nlohmann::json loadMessage;
};

/// One worker as seen by workers(): for metrics and tests.
struct WorkerInfo {
  PoolKey poolKey;
  pid_t pid = -1;  // the outer bwrap process, in the host's pid namespace
  unsigned runs = 0;
  bool busy = false;
};

/// Warm sandboxed workers, keyed by WorkerSpec::poolKey, reused across runs.
///
/// run() takes an idle worker of the key or starts one (within maxWorkersPerKey and
/// maxWorkers; at the global cap it evicts the longest-idle worker of another key, else
/// waits for a slot until the run's deadline), sends the run and pumps the worker's
/// messages into the RunContext, then keeps the worker for the next run of its key or
/// kills it: after any failure, timeout or protocol violation, after recycleAfterRuns runs,
/// or when its key was retired meanwhile. Idle workers are killed after idleTimeout.
///
/// Thread-safe: any number of dispatcher threads call run() concurrently. Creating a pool
/// sets SIGPIPE to ignored for the whole process (a write to a dead worker must fail with
/// EPIPE, not kill the host). Destroy it only after the threads calling run() have stopped.
class WorkerPool {
 public:
  /// Errors: the sandbox user cannot be resolved (see resolveSandboxIdentity), or the
  /// seccomp filter cannot be built.
  static Result<std::unique_ptr<WorkerPool>> create(SandboxOptions options);

  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Runs one job; returns within `timeout` (plus at most a few seconds to reap a dying
  /// worker), whatever the handler does. The timeout covers waiting for a slot, starting
  /// and loading a cold worker, and the handler itself.
  dispatch::RunOutcome run(const WorkerSpec& spec, const nlohmann::json& runMessage,
                           std::chrono::milliseconds timeout, dispatch::RunContext& context);

  /// Kills the idle workers of every key of `handler`'s handler (all versions; see
  /// PoolKey::sameHandler) now and marks the busy ones to be killed when their current job
  /// ends (re-registration, deregistration).
  void retire(const PoolKey& handler);

  /// Kills every idle worker and refuses new runs; busy workers die when their job ends.
  void shutdown();

  std::vector<WorkerInfo> workers() const;
  /// Workers started since the pool was made (cold starts), for /metrics and tests.
  std::uint64_t workersStarted() const { return workersStarted_.load(); }

  /// Starts and loads a worker of `spec` outside any run (the registration's load check),
  /// bounded like a run by `deadline` and the sandbox's limits. It holds a slot of
  /// spec.poolKey until adoptPrepared() files it as idle under the real key, or
  /// dropPrepared() kills it. Errors are those of a cold start ("load_failed", "timeout",
  /// "worker_died", "shutting_down").
  Result<std::unique_ptr<Worker>> prepare(const WorkerSpec& spec, Deadline deadline);
  void adoptPrepared(const PoolKey& from, const PoolKey& to, std::unique_ptr<Worker> worker);
  void dropPrepared(const PoolKey& from, std::unique_ptr<Worker> worker);
  const SandboxOptions& options() const { return options_; }
  const SandboxIdentity& identity() const { return identity_; }

 private:
  struct IdleWorker {
    std::unique_ptr<Worker> worker;
    Clock::time_point since;
  };
  struct KeyState {
    std::deque<IdleWorker> idle;  // most recently used at the back
    std::set<const Worker*> busy;
    unsigned starting = 0;
    unsigned generation = 0;
    std::size_t count() const { return idle.size() + busy.size() + starting; }
  };
  // What acquire() hands out: a warm worker, or a reserved slot to start one in.
  struct Lease {
    std::unique_ptr<Worker> worker;
    unsigned generation = 0;
  };

  WorkerPool(SandboxOptions options, SandboxIdentity identity);
  Result<Lease> acquire(const PoolKey& key, Deadline deadline);
  Result<std::unique_ptr<Worker>> startWorker(const WorkerSpec& spec, Deadline deadline);
  void release(const PoolKey& key, std::unique_ptr<Worker> worker, bool wasStarting,
               unsigned generation, bool reusable);
  void dropIfEmpty(const PoolKey& key);
  void reapLoop();

  const SandboxOptions options_;
  const SandboxIdentity identity_;
  ProcessSpawner spawner_;
  mutable std::mutex mutex_;
  std::condition_variable slotFreed_;
  std::condition_variable reaperWake_;
  std::map<PoolKey, KeyState> keys_;
  std::size_t total_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> workersStarted_{0};
  std::thread reaper_;
};

}  // namespace hookhost::sandbox
