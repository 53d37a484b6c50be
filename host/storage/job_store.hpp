#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "storage/dispatch_records.hpp"
#include "storage/job_stats.hpp"
#include "storage/job_transitions.hpp"
#include "storage/records.hpp"
#include "storage/repair_records.hpp"

namespace hookhost::storage {

/// Events and their jobs. The store never decides where a job goes: every state it writes
/// is a jobs::Transition of the lifecycle's, applied fenced by (job id, attempt, the state
/// it moves from). Every write is durable when the call returns; thread-safe; concurrent
/// writes may share one commit.
class JobStore {
 public:
  virtual ~JobStore() = default;

  /// Records the event and one job per matching handler, in one transaction. Refuses with
  /// QueueFull past `maxQueued` queued jobs, and returns the first event for a repeated key.
  /// A new event's transaction also leases what `claim` asks for, as claimJobs would.
  virtual Result<FireResult> fire(const NewEvent& event, std::int64_t maxQueued, const ClaimRequest& claim) = 0;
  Result<FireResult> fire(const NewEvent& event, std::int64_t maxQueued) { return fire(event, maxQueued, {}); }
  /// fire() for many events in ONE transaction and one commit, all or nothing: when one is
  /// refused (QueueFull, counted over the whole batch) nothing of the batch is recorded. A
  /// key repeated inside the batch is one event, as across fires.
  virtual Result<FiredBatch> fireMany(const std::vector<NewEvent>& events, std::int64_t maxQueued,
                                      const ClaimRequest& claim) = 0;
  /// The jobs among `ids` that `reader` may read (others are left out), in id order.
  virtual std::vector<Job> jobsByIds(const std::vector<std::int64_t>& ids, const JobReader& reader) = 0;
  virtual std::optional<Event> getEvent(std::int64_t id) = 0;
  virtual std::vector<Job> jobsOfEvent(std::int64_t eventId) = 0;
  virtual std::optional<Job> getJob(std::int64_t id) = 0;  // with history
  virtual std::vector<Job> listJobs(const JobQuery& query) = 0;
  /// The outcomes and run times of the jobs that ended in the query's range, per bucket, read
  /// through the jobs_by_finish index; and the unfinished jobs per state.
  virtual JobStats jobStats(const StatsQuery& query) = 0;

  /// Leases up to `limit` runnable jobs to `owner` for `leaseFor` (on the database's clock),
  /// honouring each handler's max_concurrency and leaving jobs of the plugins named in
  /// `leavePlugins` to other hosts; each moves by the table's (QUEUED, claimed) transition.
  virtual std::vector<ClaimedJob> claimJobs(const std::string& owner, std::size_t limit, Micros leaseFor,
                                            const std::vector<std::string>& leavePlugins = {}) = 0;
  /// Extends, by `leaseFor` from now, the leases of jobs still running on this owner.
  virtual void renewLeases(const std::string& owner, const std::vector<std::int64_t>& jobIds, Micros leaseFor) = 0;

  /// Writes a transition the caller decided from what it knows of the job (its claim),
  /// fenced: a job no longer at (key.attempt, transition.from) is not changed, and the
  /// stale write is recorded in its history.
  virtual CompletionOutcome applyTransition(JobKey key, const TransitionWrite& write) = 0;
  /// applyTransition without waiting for the commit: `recorded` is called once it is
  /// durable (with the outcome) or has failed (with nullopt), on a thread of the store's;
  /// it must be quick and must not call the store.
  virtual void applyTransitionLater(JobKey key, TransitionWrite write,
                                    std::function<void(std::optional<CompletionOutcome>)> recorded) = 0;
  /// Reads the job in the write transaction and applies what `decide` makes of it; its
  /// refusal comes back as the error. NotFound for no such job; Forbidden when
  /// `tokenHash` is given and is not the job's callback token.
  virtual Status transitionJob(std::int64_t jobId, const std::optional<std::string>& tokenHash,
                               const Decide& decide) = 0;
  /// A progress entry from a running attempt; fenced like completions. No state changes.
  virtual CompletionOutcome appendUpdate(std::int64_t jobId, int attempt, const nlohmann::json& data) = 0;
  /// Shows `rules` every running job whose lease expired (or, at start-up of a host that
  /// owns its store alone, every running job and every notification lease) and every
  /// waiting job past its deadline, and applies what they decide, in one transaction.
  virtual RescueCounts rescueExpired(RescueScope scope, const RescueRules& rules) = 0;

  /// Re-runs (DESIGN "Repair"): for each selected job a new job of its event and handler as
  /// `decide` makes of it, all in one transaction or none (the first refusal, an unknown
  /// version (NotFound) or QueueFull past `maxQueued` is the error).
  virtual Result<std::vector<Rerun>> rerunJobs(const RerunSelection& selection, std::int64_t maxQueued,
                                               const DecideRerun& decide) = 0;
  /// The jobs a replay of `query` would re-run, oldest first (a dry run).
  virtual std::vector<Job> replayCandidates(const ReplayQuery& query) = 0;
  /// Moves each PENDING job whose window is due (its quiet or max wait passed and, with
  /// after_chain, its chains' other jobs ended) by what `close` decides; returns how many.
  virtual int closeDueWindows(const CloseWindow& close) = 0;
  /// The chain of `rootEventId` (its own root_event_id or itself), up to `maxEvents` events.
  virtual ChainRecords readChain(std::int64_t rootEventId, std::size_t maxEvents) = 0;

  virtual std::int64_t countQueued() = 0;
  /// Jobs per state, for /metrics.
  virtual std::vector<std::pair<std::string, std::int64_t>> countJobsByState() = 0;
};

}  // namespace hookhost::storage
