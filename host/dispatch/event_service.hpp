#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "jobs/job_watch.hpp"
#include "registry/hook_catalog.hpp"
#include "storage/job_store.hpp"

namespace hookhost::dispatch {

/// Lets a fire lease jobs for this host's idle workers in its own transaction (the
/// dispatcher does), so they start without a claim transaction between fire and run.
class FireClaimer {
 public:
  virtual ~FireClaimer() = default;
  /// What the next fire should claim (limit 0: nothing). Each call is followed by exactly
  /// one claimedWithFire, also when the fire fails.
  virtual storage::ClaimRequest reserveForFire() = 0;
  /// The jobs that fire leased (none when it failed or claimed nothing); `firedJobs` when
  /// it recorded new jobs, which the claimer's workers are to look for if it did not lease
  /// them all.
  virtual void claimedWithFire(std::vector<storage::ClaimedJob> jobs, bool firedJobs) = 0;
};

/// What an array fire came to: the batch recorded, or the refusal and, when it is about one
/// element rather than the batch as a whole (the queue bound), that element's index.
struct BatchFire {
  Result<storage::FiredBatch> result;
  std::optional<std::size_t> refusedIndex;
};

struct EventLimits {
  std::int64_t maxQueued = 100'000;
  int maxChainDepth = 8;
};

/// Accepting events: validation against the hook catalog, the durable record of the event
/// and its jobs, and waking the dispatchers. Used by the REST route and by handlers that
/// emit events. Thread-safe.
class EventService {
 public:
  EventService(storage::JobStore& store, const registry::HookCatalog& catalog, EventLimits limits, jobs::JobWatch& watch);

  /// Checks an event as a handler or a client sent it: a known hook, a payload that fits
  /// its schema, tags as strings, a chain not deeper than the limit.
  Status validate(const storage::NewEvent& event) const;
  /// validate() then record; the answer leaves only after the commit is durable.
  Result<storage::FireResult> fire(const storage::NewEvent& event);

  /// fire() for an array: every element validated first (the first invalid one refuses the
  /// batch, by its index), then all recorded in one transaction and one commit, or none.
  /// (event_service_batch.cpp)
  BatchFire fireMany(const std::vector<storage::NewEvent>& events);
  /// Waits (bounded) until every job among `ids` that `reader` may read is terminal; returns
  /// those jobs as they are then, in id order. (event_service_batch.cpp)
  std::vector<storage::Job> waitForJobs(const std::vector<std::int64_t>& ids, const storage::JobReader& reader,
                                        std::chrono::milliseconds timeout);

  /// Waits (bounded) until every job of the event is terminal; returns them as they are then.
  std::vector<storage::Job> waitForEvent(std::int64_t eventId, std::chrono::milliseconds timeout);

  /// Called after a new event was recorded (not for a repeated key).
  void setOnFired(std::function<void(const storage::FireResult&)> onFired) { onFired_ = std::move(onFired); }
  /// Set before fires start and cleared (nullptr) after they stop: the dispatcher does both
  /// itself. Not owned.
  void setClaimer(FireClaimer* claimer) { claimer_ = claimer; }

 private:
  /// What a fire's transaction leased for the claimer and whether it recorded new jobs.
  struct FireRecord {
    std::vector<storage::ClaimedJob> claimed;
    bool firedJobs = false;
  };
  /// Runs `record` with what the claimer (if any) reserves for this fire, and hands the
  /// claimer what it leased; the reservation ends however `record` does.
  void recordWithClaim(const std::function<FireRecord(const storage::ClaimRequest&)>& record);

  storage::JobStore& store_;
  const registry::HookCatalog& catalog_;
  EventLimits limits_;
  jobs::JobWatch& watch_;
  std::function<void(const storage::FireResult&)> onFired_;
  FireClaimer* claimer_ = nullptr;
};

}  // namespace hookhost::dispatch
