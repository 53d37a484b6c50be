#include "dispatch/event_service.hpp"

#include <algorithm>

namespace hookhost::dispatch {

EventService::EventService(storage::JobStore& store, const registry::HookCatalog& catalog, EventLimits limits,
                           jobs::JobWatch& watch)
    : store_(store), catalog_(catalog), limits_(limits), watch_(watch) {}

Status EventService::validate(const storage::NewEvent& event) const {
  if (event.depth > limits_.maxChainDepth) {
    return makeError(ErrorKind::Unprocessable, "chain_too_deep",
                     "an event at chain depth " + std::to_string(event.depth) + " exceeds dispatch.max_chain_depth (" +
                         std::to_string(limits_.maxChainDepth) + ")");
  }
  if (!catalog_.contains(event.hook)) {
    return makeError(ErrorKind::NotFound, "unknown_hook", "no hook named '" + event.hook + "'; see GET /v1/hooks");
  }
  if (event.key && event.key->empty()) {
    return makeError(ErrorKind::Unprocessable, "invalid_key", "key: must not be empty");
  }
  return catalog_.validatePayload(event.hook, event.payload);
}

void EventService::recordWithClaim(const std::function<FireRecord(const storage::ClaimRequest&)>& record) {
  if (!claimer_) {
    record(storage::ClaimRequest{});
    return;
  }
  FireRecord recorded;
  try {
    recorded = record(claimer_->reserveForFire());
  } catch (...) {
    claimer_->claimedWithFire({}, false);
    throw;
  }
  claimer_->claimedWithFire(std::move(recorded.claimed), recorded.firedJobs);
}

Result<storage::FireResult> EventService::fire(const storage::NewEvent& event) {
  if (auto valid = validate(event); !valid) return valid.error();
  std::optional<Result<storage::FireResult>> fired;
  recordWithClaim([&](const storage::ClaimRequest& claim) {
    fired.emplace(store_.fire(event, limits_.maxQueued, claim));
    if (!*fired) return FireRecord{};
    auto& result = fired->value();
    return FireRecord{std::move(result.claimed), !result.duplicate && !result.jobs.empty()};
  });
  if (*fired && !(*fired)->duplicate && onFired_) onFired_(fired->value());
  return std::move(*fired);
}

std::vector<storage::Job> EventService::waitForEvent(std::int64_t eventId, std::chrono::milliseconds timeout) {
  std::vector<storage::Job> jobs;
  watch_.waitUntil(
      [&] {
        jobs = store_.jobsOfEvent(eventId);
        return std::all_of(jobs.begin(), jobs.end(), [](const storage::Job& job) { return storage::isTerminal(job.state); });
      },
      timeout);
  return jobs;
}

}  // namespace hookhost::dispatch
