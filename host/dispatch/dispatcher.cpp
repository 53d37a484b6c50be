#include "dispatch/dispatcher.hpp"

#include <Poco/Logger.h>

#include <utility>

#include "dispatch/dispatch_support.hpp"
#include "dispatch/job_run_context.hpp"

namespace hookhost::dispatch {
namespace {

using Clock = std::chrono::steady_clock;

RunRequest requestFor(const storage::ClaimedJob& job) {
  const auto& spec = job.handler.spec;
  RunRequest request;
  request.jobId = job.jobId;
  request.eventId = job.eventId;
  request.handlerId = job.handler.id;
  request.handlerVersion = job.handler.version;
  request.attempt = job.attempt;
  request.handlerName = spec.name;
  request.hook = spec.hook;
  request.user = job.ownerName;
  request.runtime = spec.runtime;
  if (spec.runtime == Runtime::Python) request.codeBase64 = spec.code;
  request.pythonVersion = spec.pythonVersion;
  request.plugin = spec.plugin;
  request.config = spec.config;
  request.payload = job.payload;
  request.timeout = std::chrono::seconds(spec.timeoutS);
  request.events = job.events;
  request.eventAt = formatRfc3339(job.eventAt);
  return request;
}

// How far a claim may grow, in jobs per worker: claimed jobs wait in ready_ with their
// lease renewed, unavailable to other hosts meanwhile.
constexpr std::size_t kMaxClaimBatchPerWorker = 16;

}  // namespace

Dispatcher::Dispatcher(storage::JobStore& store, jobs::JobLifecycle& lifecycle, EventService& events,
                       metrics::HostMetrics& metrics, DispatcherOptions options)
    : store_(store),
      lifecycle_(lifecycle),
      events_(events),
      metrics_(metrics),
      options_(std::move(options)),
      claimBatch_(workerCount()) {
  events_.setClaimer(this);
}

Dispatcher::~Dispatcher() {
  stop(std::chrono::milliseconds(0));
  events_.setClaimer(nullptr);
}

void Dispatcher::addExecutor(Runtime runtime, Executor& executor) {
  // Envoy's rule: a second registration is a start-up error, never a silent overwrite.
  if (!executors_.emplace(runtime, &executor).second) {
    throw std::logic_error("a second executor for runtime '" + std::string(runtimeName(runtime)) + "'");
  }
}

void Dispatcher::start() {
  // The store narrows this to expired leases when other hosts share it.
  auto recovered = lifecycle_.rescue(options_.recoverAllRunningAtStart ? storage::RescueScope::AllRunning
                                                                      : storage::RescueScope::ExpiredLeases);
  if (recovered.requeued + recovered.failed + recovered.timedOut > 0) {
    logger().information("recovered after restart: %d requeued, %d failed, %d timed out", recovered.requeued,
                         recovered.failed, recovered.timedOut);
  }
  metrics_.jobsRescued.add(recovered.requeued + recovered.failed);
  // 0 workers: a host that serves the API and keeps the store healthy but runs no jobs.
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { workerLoop(); });
  threads_.emplace_back([this] { housekeepingLoop(); });
  windows_.start();
}

bool Dispatcher::stop(std::chrono::milliseconds drainFor) {
  windows_.stop();
  std::unique_lock lock(mutex_);
  if (threads_.empty()) return true;
  stopping_ = true;
  wake_.notify_all();
  drained_.notify_all();
  bool drained = drained_.wait_for(lock, drainFor, [this] { return running_.empty() && ready_.empty(); });
  lock.unlock();
  wake_.notify_all();
  drained_.notify_all();
  for (auto& thread : threads_) {
    if (drained) thread.join();
    else thread.detach();
  }
  threads_.clear();
  return drained;
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  }
  // One idle worker claims; a worker already claiming claims again when it sees the count.
  wake_.notify_one();
}

storage::ClaimRequest Dispatcher::reserveForFire() {
  std::unique_lock lock(mutex_);
  // Only when every worker sits idle: that is when a job waits longest for a claim of its
  // own, while a busy dispatcher claims in batches, one claim at a time, which serve many
  // fires at once.
  if (stopping_ || claiming_ || idle_ == 0 || idle_ < options_.workers || !ready_.empty()) return {};
  claiming_ = true;
  fireClaimLimit_ = static_cast<std::size_t>(idle_);
  const std::size_t limit = fireClaimLimit_;
  lock.unlock();
  return claimRequest(limit);
}

storage::ClaimRequest Dispatcher::claimRequest(std::size_t limit) const {
  std::vector<std::string> leave;
  if (options_.pluginsToLeave) leave = options_.pluginsToLeave();
  return storage::ClaimRequest{options_.hostId, limit, micros(options_.lease), std::move(leave)};
}

std::size_t Dispatcher::workerCount() const { return static_cast<std::size_t>(std::max(1, options_.workers)); }

void Dispatcher::claimedWithFire(std::vector<storage::ClaimedJob> jobs, bool firedJobs) {
  std::size_t wakeOne = jobs.size();
  bool wakeAll = false;
  {
    std::lock_guard lock(mutex_);
    const std::size_t limit = std::exchange(fireClaimLimit_, 0);
    if (limit > 0) claiming_ = false;
    // Jobs left queued (none leased, or as many as asked for, so maybe more) need a claim;
    // so do workers that waited for this one.
    if (firedJobs && (limit == 0 || jobs.size() == limit)) {
      ++wakeups_;
      wakeOne = std::max<std::size_t>(wakeOne, 1);
    }
    wakeAll = waitingForClaim_ > 0;
    for (auto& job : jobs) ready_.push_back(std::move(job));
  }
  if (wakeAll) {
    wake_.notify_all();
    return;
  }
  for (std::size_t i = 0; i < wakeOne; ++i) wake_.notify_one();
}

std::size_t Dispatcher::runningCount() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

std::vector<std::int64_t> Dispatcher::unfinishedJobs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::int64_t> ids;
  for (const auto& [id, running] : running_) ids.push_back(id);
  for (const auto& job : ready_) ids.push_back(job.jobId);
  return ids;
}

void Dispatcher::workerLoop() {
  storage::ClaimedJob job;
  while (takeJob(job)) runJob(job);
}

bool Dispatcher::takeJob(storage::ClaimedJob& job) {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Jobs already claimed run even while stopping: their lease is ours.
    if (!ready_.empty()) {
      job = std::move(ready_.front());
      ready_.pop_front();
      auto deadline = Clock::now() + std::chrono::seconds(job.handler.spec.timeoutS) + options_.timeoutGrace;
      running_[job.jobId] = Running{job.attempt, deadline};
      return true;
    }
    if (stopping_) return false;
    std::uint64_t seen = wakeups_;
    if (claiming_) {
      ++waitingForClaim_;
      wake_.wait_for(lock, options_.pollInterval, [&] { return stopping_ || !ready_.empty() || !claiming_; });
      --waitingForClaim_;
      continue;
    }
    claiming_ = true;
    // Claims are write transactions, one at a time, each waiting for its commit: a batch
    // costs one of them instead of one per job. It starts at one job per worker, and
    // doubles while workers sit idle waiting for it (short jobs, a deep queue), so the
    // claim's commit is not what caps throughput.
    const std::size_t batch = claimBatch_;
    lock.unlock();
    std::vector<storage::ClaimedJob> claimed;
    try {
      auto request = claimRequest(batch);
      claimed = store_.claimJobs(request.owner, request.limit, request.leaseFor, request.leavePlugins);
    } catch (const std::exception& error) {
      logger().error("claiming jobs failed: %s", std::string(error.what()));
    }
    lock.lock();
    claiming_ = false;
    const std::size_t perWorker = workerCount();
    if (claimed.size() == batch && waitingForClaim_ > 0) {
      claimBatch_ = std::min(batch * 2, perWorker * kMaxClaimBatchPerWorker);
    } else if (claimed.size() < batch) {
      claimBatch_ = std::max(perWorker, batch / 2);
    }
    for (auto& one : claimed) ready_.push_back(std::move(one));
    wake_.notify_all();
    if (!claimed.empty() || wakeups_ != seen) continue;
    ++idle_;
    wake_.wait_for(lock, options_.pollInterval, [&] { return stopping_ || wakeups_ != seen || !ready_.empty(); });
    --idle_;
  }
}

void Dispatcher::runJob(const storage::ClaimedJob& job) {
  metrics_.jobsStarted.add();
  metrics_.fireToStart.observe(static_cast<double>(nowMicros() - job.createdAt) / 1e6);
  auto started = Clock::now();

  auto* live = options_.liveOutputs;
  auto output = live ? live->open(job.jobId, job.attempt)
                     : std::make_shared<jobs::LiveOutput>(options_.maxOutputBytes, job.attempt);
  // Closed when this attempt is over and its end handed to the lifecycle (which commits it
  // soon after and then tells LiveOutputs::jobsChanged): a follower told the attempt ended
  // waits for the job's new state.
  struct CloseWhenDone {
    jobs::LiveOutputs* live;
    std::int64_t jobId;
    const std::shared_ptr<jobs::LiveOutput>& output;
    ~CloseWhenDone() {
      if (live) live->close(jobId, output);
    }
  } closeWhenDone{live, job.jobId, output};
  JobRunContext context(store_, events_, job, output);
  RunOutcome outcome;
  auto executor = executors_.find(job.handler.spec.runtime);
  if (executor == executors_.end()) {
    outcome.error = "no executor for runtime '" + std::string(runtimeName(job.handler.spec.runtime)) + "' on this host";
  } else {
    try {
      outcome = executor->second->run(requestFor(job), context);
    } catch (const std::exception& error) {
      outcome = RunOutcome{};
      outcome.error = std::string("the executor failed: ") + error.what();
    }
  }
  metrics_.runTime.observe(std::chrono::duration<double>(Clock::now() - started).count());

  recordCompletion(Unrecorded{{job.jobId, job.attempt, job.maxAttempts}, attemptEndOf(job, outcome, context)});
}

}  // namespace hookhost::dispatch
