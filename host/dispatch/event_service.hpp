#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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

  /// Waits (bounded) until every job of the event is terminal; returns them as they are then.
  std::vector<storage::Job> waitForEvent(std::int64_t eventId, std::chrono::milliseconds timeout);

  /// Called after a new event was recorded (not for a repeated key).
  void setOnFired(std::function<void(const storage::FireResult&)> onFired) { onFired_ = std::move(onFired); }
  /// Set before fires start and cleared (nullptr) after they stop: the dispatcher does both
  /// itself. Not owned.
  void setClaimer(FireClaimer* claimer) { claimer_ = claimer; }

 private:
  storage::JobStore& store_;
  const registry::HookCatalog& catalog_;
  EventLimits limits_;
  jobs::JobWatch& watch_;
  std::function<void(const storage::FireResult&)> onFired_;
  FireClaimer* claimer_ = nullptr;
};

}  // namespace hookhost::dispatch
