// GET /v1/stats: the outcomes and run times of ended jobs per time bucket (the console's chart).
#include <algorithm>
#include <cmath>

#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// Both filters name the same optional conditions, so the two queries cannot disagree on
// which jobs a caller may read.
std::string visibilityConditions(const StatsQuery& query) {
  std::string where;
  if (query.hook) where += " AND h.hook = ?";
  if (query.handlerId) where += " AND j.handler_id = ?";
  if (query.ownerId) where += " AND h.owner_id = ?";
  return where;
}

void bindVisibility(sql::Params& st, const StatsQuery& query) {
  if (query.hook) st, bind(*query.hook);
  if (query.handlerId) st, bind(*query.handlerId);
  if (query.ownerId) st, bind(*query.ownerId);
}

// Nearest rank: the smallest run time that at least `fraction` of the runs do not exceed.
double percentileMs(std::vector<Micros>& runs, double fraction) {
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(runs.size())));
  std::size_t index = rank == 0 ? 0 : rank - 1;
  std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(index), runs.end());
  return static_cast<double>(runs[index]) / 1000.0;
}

void finishBucket(StatsBucket& bucket, std::vector<Micros>& runs) {
  if (runs.empty()) return;
  bucket.p50Ms = percentileMs(runs, 0.50);
  bucket.p95Ms = percentileMs(runs, 0.95);
}

std::vector<StatsBucket> endedJobBuckets(sql::Connection& session, const StatsQuery& query) {
  const Micros width = query.bucketMicros;
  if (width <= 0 || query.until <= query.since) return {};
  std::vector<StatsBucket> buckets(static_cast<std::size_t>((query.until - query.since + width - 1) / width));
  std::vector<std::vector<Micros>> runs(buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i].at = query.since + static_cast<Micros>(i) * width;
  auto rows = sql::query(session,
                         "SELECT j.state, j.started_at, j.finished_at FROM jobs j JOIN handlers h ON h.id = j.handler_id "
                         "WHERE j.finished_at >= ? AND j.finished_at < ?" + visibilityConditions(query),
                         [&](auto& st) {
                           st, bind(query.since), bind(query.until);
                           bindVisibility(st, query);
                         });
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    const Micros finished = sql::integer(rows, "finished_at");
    auto index = static_cast<std::size_t>((finished - query.since) / width);
    if (index >= buckets.size()) continue;
    StatsBucket& bucket = buckets[index];
    // The outcome is sorted here, not in the WHERE, so the range alone picks the index
    // (jobs_by_finish); the range's few cancelled jobs are skipped.
    auto state = parseJobState(sql::text(rows, "state"));
    if (state == JobState::Succeeded) ++bucket.succeeded;
    else if (state == JobState::Failed) ++bucket.failed;
    else if (state == JobState::TimedOut) ++bucket.timedOut;
    else continue;
    // A job failed before it ever ran (its plugin missing) has no run time to count.
    if (auto started = sql::optionalInteger(rows, "started_at")) runs[index].push_back(std::max<Micros>(0, finished - *started));
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) finishBucket(buckets[i], runs[i]);
  return buckets;
}

std::map<std::string, std::int64_t> unfinishedJobs(sql::Connection& session, const StatsQuery& query) {
  std::map<std::string, std::int64_t> counts;
  std::vector<std::string> states;
  for (jobs::JobState state : jobs::kAllJobStates) {
    if (jobs::isTerminal(state)) continue;
    states.emplace_back(jobs::jobStateName(state));
    counts[states.back()] = 0;
  }
  // An IN list (not NOT IN the terminal ones) and finished_at IS NULL, so jobs_runnable,
  // which leads with the state and holds only unfinished jobs, reads them, not every job.
  auto rows = sql::query(session,
                         "SELECT j.state, count(*) AS n FROM jobs j JOIN handlers h ON h.id = j.handler_id "
                         "WHERE j.state IN (" + sql::placeholders(states.size()) + ") AND j.finished_at IS NULL" + visibilityConditions(query) +
                             " GROUP BY j.state",
                         [&](auto& st) {
                           for (const auto& state : states) st, bind(state);
                           bindVisibility(st, query);
                         });
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    counts[sql::text(rows, "state")] = sql::integer(rows, "n");
  }
  return counts;
}

}  // namespace

JobStats SqlStore::jobStats(const StatsQuery& query) {
  return read([&](sql::Connection& session) {
    JobStats stats;
    stats.buckets = endedJobBuckets(session, query);
    stats.unfinished = unfinishedJobs(session, query);
    return stats;
  });
}

}  // namespace hookhost::storage
