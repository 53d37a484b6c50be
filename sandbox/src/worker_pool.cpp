#include "sandbox/src/worker_pool.hpp"

#include <algorithm>
#include <csignal>

#include "sandbox/src/seccomp_filter.hpp"

namespace hookhost::sandbox {
namespace {

using dispatch::RunOutcome;
using dispatch::RunStatus;

RunOutcome outcomeOf(RunStatus status, std::string error) {
  RunOutcome outcome;
  outcome.status = status;
  outcome.error = std::move(error);
  return outcome;
}

}  // namespace

Result<std::unique_ptr<WorkerPool>> WorkerPool::create(SandboxOptions options) {
  auto identity = resolveSandboxIdentity(options);
  if (!identity) return identity.error();
  if (auto program = seccompProgram(); !program) return program.error();
  std::signal(SIGPIPE, SIG_IGN);
  return std::unique_ptr<WorkerPool>(new WorkerPool(std::move(options), *identity));
}

WorkerPool::WorkerPool(SandboxOptions options, SandboxIdentity identity)
    : options_(std::move(options)), identity_(std::move(identity)) {
  reaper_ = std::thread([this] { reapLoop(); });
}

WorkerPool::~WorkerPool() {
  shutdown();
  reaperWake_.notify_all();
  reaper_.join();
}

void WorkerPool::shutdown() {
  std::vector<std::unique_ptr<Worker>> doomed;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [key, state] : keys_) {
      for (auto& idle : state.idle) doomed.push_back(std::move(idle.worker));
      total_ -= state.idle.size();
      state.idle.clear();
    }
  }
  doomed.clear();  // kills and reaps, outside the lock
  slotFreed_.notify_all();
  reaperWake_.notify_all();
}

Result<WorkerPool::Lease> WorkerPool::acquire(const PoolKey& key, Deadline deadline) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) {
      return makeError(ErrorKind::Unavailable, "shutting_down", "the sandbox is shutting down");
    }
    KeyState& state = keys_[key];
    if (!state.idle.empty()) {
      Lease lease{std::move(state.idle.back().worker), state.generation};
      state.idle.pop_back();
      state.busy.insert(lease.worker.get());
      return lease;
    }
    const bool keyHasRoom = state.count() < options_.maxWorkersPerKey;
    if (keyHasRoom && total_ >= options_.maxWorkers) {
      // Make room by evicting the longest-idle worker of another key.
      std::deque<IdleWorker>* oldest = nullptr;
      PoolKey oldestKey;
      for (auto& [otherKey, other] : keys_) {
        if (!other.idle.empty() && (!oldest || other.idle.front().since < oldest->front().since)) {
          oldest = &other.idle;
          oldestKey = otherKey;
        }
      }
      if (oldest) {
        std::unique_ptr<Worker> evicted = std::move(oldest->front().worker);
        oldest->pop_front();
        --total_;
        dropIfEmpty(oldestKey);
        lock.unlock();
        evicted.reset();
        lock.lock();
        continue;  // state may have changed while unlocked
      }
    }
    if (keyHasRoom && total_ < options_.maxWorkers) {
      ++state.starting;
      ++total_;
      return Lease{nullptr, state.generation};
    }
    if (slotFreed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      dropIfEmpty(key);
      return makeError(ErrorKind::QueueFull, "timeout",
                       "no sandbox worker became free before the job's deadline (" +
                           std::to_string(options_.maxWorkers) + " workers in all, " +
                           std::to_string(options_.maxWorkersPerKey) + " per handler)");
    }
  }
}

Result<std::unique_ptr<Worker>> WorkerPool::startWorker(const WorkerSpec& spec,
                                                        Deadline deadline) {
  LaunchSpec launch{spec.argv, spec.extraReadOnlyBinds};
  auto process = spawner_.launch(options_, identity_, launch);
  if (!process) return process.error();
  ++workersStarted_;
  return Worker::start(std::move(*process), spec.loadMessage, deadline, options_.maxFrameBytes);
}

void WorkerPool::release(const PoolKey& key, std::unique_ptr<Worker> worker,
                         bool wasStarting, unsigned generation, bool reusable) {
  {
    std::lock_guard lock(mutex_);
    KeyState& state = keys_[key];
    if (wasStarting) --state.starting;
    if (worker) state.busy.erase(worker.get());
    const bool keep = worker && reusable && !stopping_ && generation == state.generation &&
                      worker->runs() < options_.recycleAfterRuns;
    if (keep) {
      state.idle.push_back(IdleWorker{std::move(worker), Clock::now()});
    } else {
      --total_;
      dropIfEmpty(key);
    }
  }
  worker.reset();  // a worker not kept dies here, outside the lock
  slotFreed_.notify_all();
}

void WorkerPool::dropIfEmpty(const PoolKey& key) {
  auto found = keys_.find(key);
  // Only a lease in flight remembers a generation, and a key with nothing in flight has
  // none: its entry can go.
  if (found != keys_.end() && found->second.count() == 0) {
    keys_.erase(found);
  }
}

RunOutcome WorkerPool::run(const WorkerSpec& spec, const nlohmann::json& runMessage,
                           std::chrono::milliseconds timeout, dispatch::RunContext& context) {
  const Deadline deadline = Clock::now() + timeout;
  while (true) {
    auto lease = acquire(spec.poolKey, deadline);
    if (!lease) {
      return outcomeOf(lease.error().code == "timeout" ? RunStatus::TimedOut : RunStatus::Failed,
                       lease.error().message);
    }
    std::unique_ptr<Worker> worker = std::move(lease->worker);
    const bool started = worker == nullptr;
    if (started) {
      auto fresh = startWorker(spec, deadline);
      if (!fresh) {
        release(spec.poolKey, nullptr, true, lease->generation, false);
        if (fresh.error().code == "timeout") {
          return outcomeOf(RunStatus::TimedOut,
                           "the handler's worker did not load before the job's deadline");
        }
        return outcomeOf(RunStatus::Failed, fresh.error().message);
      }
      worker = std::move(*fresh);
      std::lock_guard lock(mutex_);
      keys_[spec.poolKey].busy.insert(worker.get());
    } else if (!worker->readyForReuse()) {
      // Died while idle, or a leftover thread of its last job is still talking: replace it.
      release(spec.poolKey, std::move(worker), false, lease->generation, false);
      continue;
    }
    auto report = worker->run(runMessage, deadline, timeout, context, options_.outputCapBytes);
    release(spec.poolKey, std::move(worker), started, lease->generation, report.reusable);
    return std::move(report.outcome);
  }
}

Result<std::unique_ptr<Worker>> WorkerPool::prepare(const WorkerSpec& spec, Deadline deadline) {
  auto lease = acquire(spec.poolKey, deadline);
  if (!lease) return lease.error();
  if (lease->worker) {
    // An idle worker of the key already holds this code: hand it out as it is.
    std::lock_guard lock(mutex_);
    KeyState& state = keys_[spec.poolKey];
    state.busy.erase(lease->worker.get());
    ++state.starting;
    return std::move(lease->worker);
  }
  auto fresh = startWorker(spec, deadline);
  if (!fresh) release(spec.poolKey, nullptr, true, lease->generation, false);
  return fresh;
}

void WorkerPool::adoptPrepared(const PoolKey& from, const PoolKey& to, std::unique_ptr<Worker> worker) {
  {
    std::lock_guard lock(mutex_);
    KeyState& source = keys_[from];
    --source.starting;
    dropIfEmpty(from);
    KeyState& target = keys_[to];
    if (!stopping_ && target.count() < options_.maxWorkersPerKey) {
      target.idle.push_back(IdleWorker{std::move(worker), Clock::now()});
    } else {
      --total_;
      dropIfEmpty(to);
    }
  }
  worker.reset();
  slotFreed_.notify_all();
}

void WorkerPool::dropPrepared(const PoolKey& from, std::unique_ptr<Worker> worker) {
  release(from, nullptr, true, 0, false);
  worker.reset();
}

void WorkerPool::retire(const PoolKey& handler) {
  std::vector<std::unique_ptr<Worker>> doomed;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, state] : keys_) {
      if (!key.sameHandler(handler)) continue;
      ++state.generation;
      for (auto& idle : state.idle) doomed.push_back(std::move(idle.worker));
      total_ -= state.idle.size();
      state.idle.clear();
    }
  }
  doomed.clear();
  slotFreed_.notify_all();
}

std::vector<WorkerInfo> WorkerPool::workers() const {
  std::lock_guard lock(mutex_);
  std::vector<WorkerInfo> all;
  for (const auto& [key, state] : keys_) {
    for (const auto& idle : state.idle) {
      all.push_back({key, idle.worker->pid(), idle.worker->runs(), false});
    }
    for (const Worker* busy : state.busy) all.push_back({key, busy->pid(), busy->runs(), true});
  }
  return all;
}

void WorkerPool::reapLoop() {
  const auto interval = std::clamp<std::chrono::milliseconds>(
      options_.idleTimeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    reaperWake_.wait_for(lock, interval);
    std::vector<std::unique_ptr<Worker>> doomed;
    const auto cutoff = Clock::now() - options_.idleTimeout;
    for (auto& [key, state] : keys_) {
      while (!state.idle.empty() && state.idle.front().since < cutoff) {
        doomed.push_back(std::move(state.idle.front().worker));
        state.idle.pop_front();
        --total_;
      }
    }
    if (doomed.empty()) continue;
    for (auto it = keys_.begin(); it != keys_.end();) {
      auto next = std::next(it);
      dropIfEmpty(it->first);
      it = next;
    }
    lock.unlock();
    doomed.clear();
    slotFreed_.notify_all();
    lock.lock();
  }
}

}  // namespace hookhost::sandbox
