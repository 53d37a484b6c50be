// Array fires and reads of many jobs by id (issue 22): the batch forms of fire() and getJob().
#include <algorithm>

#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// Carries a refusal out of the batch's work as an exception, so that the group committer
// rolls back the work's savepoint: the elements recorded before the refused one go with it.
struct BatchRefused {
  Error error;
};

// Ids per statement: well under the bound-parameter limits of SQLite and PostgreSQL.
constexpr std::size_t kIdsPerRead = 500;

}  // namespace

Result<FiredBatch> SqlStore::fireMany(const std::vector<NewEvent>& events, std::int64_t maxQueued,
                                      const ClaimRequest& claim) {
  try {
    return writeLosingRaceOnce([&](sql::Connection& session) -> Result<FiredBatch> {
      FiredBatch batch;
      batch.events.reserve(events.size());
      bool newJobs = false;
      // fireIn per element, inside one savepoint: its queue bound counts the jobs the earlier
      // elements queued, and its key look-up sees the events they recorded.
      for (const NewEvent& event : events) {
        auto fired = fireIn(session, event, maxQueued);
        if (!fired) throw BatchRefused{fired.error()};
        newJobs = newJobs || (!fired->duplicate && !fired->jobs.empty());
        batch.events.push_back(std::move(*fired));
      }
      if (newJobs && claim.limit > 0) batch.claimed = claimIn(session, claim);
      return batch;
    });
  } catch (const BatchRefused& refused) {
    return refused.error;
  }
}

std::vector<Job> SqlStore::jobsByIds(const std::vector<std::int64_t>& ids, const JobReader& reader) {
  std::vector<std::int64_t> wanted = ids;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return read([&](sql::Connection& session) {
    std::vector<Job> jobs;
    for (std::size_t from = 0; from < wanted.size(); from += kIdsPerRead) {
      const std::size_t count = std::min(kIdsPerRead, wanted.size() - from);
      std::string where = "WHERE j.id IN (" + sql::placeholders(count) + ")";
      // The same rule as reading one job: their handler's, or the event they fired.
      if (!reader.everything) {
        where += " AND (h.owner_id = ? OR EXISTS (SELECT 1 FROM events e WHERE e.id = j.event_id AND e.created_by = ?))";
      }
      auto part = readJobs(session, where + " ORDER BY j.id", [&](auto& st) {
        for (std::size_t i = from; i < from + count; ++i) st, bind(wanted[i]);
        if (!reader.everything) st, bind(reader.userId), bind(reader.userName);
      });
      std::move(part.begin(), part.end(), std::back_inserter(jobs));
    }
    return jobs;
  });
}

}  // namespace hookhost::storage
