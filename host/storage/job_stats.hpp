#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace hookhost::storage {

/// What GET /v1/stats aggregates: the jobs that ended in [since, until), in buckets of
/// `bucketMicros` starting at `since`.
struct StatsQuery {
  std::optional<std::string> hook;
  std::optional<std::int64_t> handlerId;
  std::optional<std::int64_t> ownerId;  // set for non-admins: only their handlers' jobs, as JobQuery
  Micros since = 0;
  Micros until = 0;
  Micros bucketMicros = 60'000'000;
};

/// One bucket of ended jobs; the run times (finished - started) of all three outcomes.
struct StatsBucket {
  Micros at = 0;
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;
  std::int64_t timedOut = 0;
  std::optional<double> p50Ms;  // none when no job in the bucket ran
  std::optional<double> p95Ms;
};

struct JobStats {
  std::vector<StatsBucket> buckets;      // every bucket of the range, empty ones too, oldest first
  std::map<std::string, std::int64_t> unfinished;  // jobs not ended now, per state (PENDING, QUEUED, …)
};

}  // namespace hookhost::storage
