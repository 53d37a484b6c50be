// The batch forms of EventService (issue 22): array fires and waiting for many jobs.
#include <algorithm>
#include <map>

#include "dispatch/event_service.hpp"

namespace hookhost::dispatch {

BatchFire EventService::fireMany(const std::vector<storage::NewEvent>& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (auto valid = validate(events[i]); !valid) return {valid.error(), i};
  }
  std::optional<Result<storage::FiredBatch>> fired;
  recordWithClaim([&](const storage::ClaimRequest& claim) {
    fired.emplace(store_.fireMany(events, limits_.maxQueued, claim));
    if (!*fired) return FireRecord{};
    auto& batch = fired->value();
    bool firedJobs = std::any_of(batch.events.begin(), batch.events.end(), [](const storage::FireResult& one) {
      return !one.duplicate && !one.jobs.empty();
    });
    return FireRecord{std::move(batch.claimed), firedJobs};
  });
  if (*fired && onFired_) {
    for (const auto& one : (*fired)->events) {
      if (!one.duplicate) onFired_(one);
    }
  }
  return {std::move(*fired), std::nullopt};
}

std::vector<storage::Job> EventService::waitForJobs(const std::vector<std::int64_t>& ids,
                                                    const storage::JobReader& reader,
                                                    std::chrono::milliseconds timeout) {
  // A terminal job stays so: each check re-reads only the jobs still moving.
  std::map<std::int64_t, storage::Job> seen;
  std::vector<std::int64_t> moving = ids;
  watch_.waitUntil(
      [&] {
        auto jobs = store_.jobsByIds(moving, reader);
        moving.clear();
        for (auto& job : jobs) {
          if (!storage::isTerminal(job.state)) moving.push_back(job.id);
          seen.insert_or_assign(job.id, std::move(job));
        }
        return moving.empty();
      },
      timeout);
  std::vector<storage::Job> out;
  out.reserve(seen.size());
  for (auto& [id, job] : seen) out.push_back(std::move(job));
  return out;
}

}  // namespace hookhost::dispatch
