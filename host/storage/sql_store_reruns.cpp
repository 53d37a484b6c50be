// Re-runs and replays (DESIGN "Repair"): new jobs of finished jobs' events, created by the
// lifecycle's rule in one transaction.
#include "storage/sql_store.hpp"

#include <map>

#include "storage/sql_rows.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// Carries a refusal out of the writer's work, so that the work's savepoint rolls back every
// re-run of the selection recorded before it.
struct RerunRefused {
  Error error;
};

// The WHERE clause of a replay and its parameters, for the dry run's read and the replay's
// write alike.
struct ReplayFilter {
  std::string where;
  std::vector<std::string> states;

  explicit ReplayFilter(const ReplayQuery& query) {
    for (JobState state : query.states) states.push_back(jobStateName(state));
    where = "WHERE j.state IN (" + sql::placeholders(states.size()) + ")";
    if (query.hook) where += " AND h.hook = ?";
    if (query.handlerId) where += " AND j.handler_id = ?";
    if (query.ownerId) where += " AND h.owner_id = ?";
    if (query.since) where += " AND j.created_at >= ?";
    if (query.until) where += " AND j.created_at < ?";
    where += " ORDER BY j.id LIMIT ?";
  }

  void bindTo(sql::Params& st, const ReplayQuery& query) const {
    for (const auto& state : states) st, bind(state);
    if (query.hook) st, bind(*query.hook);
    if (query.handlerId) st, bind(*query.handlerId);
    if (query.ownerId) st, bind(*query.ownerId);
    if (query.since) st, bind(*query.since);
    if (query.until) st, bind(*query.until);
    st, bind(query.limit);
  }
};

const char* kSourceSelect =
    "SELECT j.id, j.state, j.attempt, j.max_attempts, j.event_id, j.handler_id, j.payload, j.coalesce_key, "
    "h.version AS current_version, h.deleted_at FROM jobs j JOIN handlers h ON h.id = j.handler_id ";

}  // namespace

std::vector<Job> SqlStore::replayCandidates(const ReplayQuery& query) {
  if (query.states.empty()) return {};
  ReplayFilter filter(query);
  return read([&](sql::Connection& session) {
    return readJobs(session, filter.where, [&](auto& st) { filter.bindTo(st, query); });
  });
}

Result<std::vector<Rerun>> SqlStore::rerunJobs(const RerunSelection& selection, std::int64_t maxQueued,
                                               const DecideRerun& decide) {
  try {
    return writer_.run([&](sql::Connection& session) -> Result<std::vector<Rerun>> {
      std::vector<RerunRequest> requests = selection.jobs;
      if (selection.matching && !selection.matching->states.empty()) {
        ReplayFilter filter(*selection.matching);
        auto rows = sql::query(session, "SELECT j.id FROM jobs j JOIN handlers h ON h.id = j.handler_id " + filter.where,
                               [&](auto& st) { filter.bindTo(st, *selection.matching); });
        for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
          requests.push_back({sql::integer(rows, "id"), std::nullopt, std::nullopt});
        }
      }
      if (queuedNow(session) + static_cast<std::int64_t>(requests.size()) > maxQueued) {
        return makeError(ErrorKind::QueueFull, "queue_full",
                         "the job queue is full (" + std::to_string(queued_.inTransaction()) + " queued, limit " +
                             std::to_string(maxQueued) + "); try again later");
      }
      const Micros at = sql::databaseNow(session);
      std::vector<Rerun> reruns;
      for (const auto& request : requests) reruns.push_back(rerunIn(session, request, decide, at));
      queued_.add(static_cast<std::int64_t>(reruns.size()));
      return reruns;
    });
  } catch (const RerunRefused& refused) {
    return refused.error;
  }
}

Rerun SqlStore::rerunIn(sql::Connection& session, const RerunRequest& request, const DecideRerun& decide, Micros at) {
  const std::string id = std::to_string(request.jobId);
  auto source = sql::query(session, std::string(kSourceSelect) + "WHERE j.id = ?",
                           [&](auto& st) { st, bind(request.jobId); });
  if (!source.moveFirst()) throw RerunRefused{{ErrorKind::NotFound, "job_not_found", "no job with id " + id}};
  jobs::RerunFacts facts;
  facts.source.jobId = request.jobId;
  facts.source.state = parseJobState(sql::text(source, "state")).value_or(JobState::Failed);
  facts.source.attempt = static_cast<int>(sql::integer(source, "attempt"));
  facts.source.maxAttempts = static_cast<int>(sql::integer(source, "max_attempts"));
  facts.source.now = at;
  facts.eventId = sql::integer(source, "event_id");
  facts.handlerId = sql::integer(source, "handler_id");
  facts.handlerDeregistered = sql::optionalInteger(source, "deleted_at").has_value();
  facts.pinnedVersion = request.version;
  facts.version = request.version.value_or(static_cast<int>(sql::integer(source, "current_version")));
  facts.payloadEdited = request.payload.has_value();

  auto version = sql::query(session, "SELECT max_attempts FROM handler_versions WHERE handler_id = ? AND version = ?",
                            [&](auto& st) { st, bind(facts.handlerId), bind(facts.version); });
  if (!version.moveFirst()) {
    throw RerunRefused{{ErrorKind::NotFound, "version_not_found",
                        "handler " + std::to_string(facts.handlerId) + " has no version " +
                            std::to_string(facts.version) + "; see GET /v1/handlers/" +
                            std::to_string(facts.handlerId) + "/versions"}};
  }
  const int maxAttempts = static_cast<int>(sql::integer(version, "max_attempts"));
  auto decision = decide(facts);
  if (auto* refusal = std::get_if<jobs::Refusal>(&decision)) throw RerunRefused{refusal->error};
  const auto& creation = std::get<jobs::Creation>(decision);

  // An edited payload stays with the new job; otherwise the source's own (a re-run of an
  // edited re-run runs what that one ran).
  Poco::Nullable<std::string> payload;
  if (request.payload) {
    payload = request.payload->dump();
  } else if (auto kept = sql::optionalText(source, "payload")) {
    payload = *kept;
  }
  const std::string state = jobStateName(creation.state);
  // A coalesced job's re-run runs with every event it gathered (ctx.events), not only the
  // one it is filed under: it keeps the key and the list. Its window closed long ago, and
  // the key's index covers only PENDING jobs, so a new window of that key opens as before.
  Poco::Nullable<std::string> coalesceKey;
  if (auto key = sql::optionalText(source, "coalesce_key")) coalesceKey = *key;
  std::int64_t jobId = sql::insert(
      session,
      "INSERT INTO jobs (event_id, handler_id, handler_version, state, attempt, max_attempts, run_after, "
      "created_at, payload, coalesce_key) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
      [&](auto& st) {
        st, bind(facts.eventId), bind(facts.handlerId), bind(facts.version), bind(state), bind(maxAttempts),
            bind(at), bind(at), bind(payload), bind(coalesceKey);
      });
  if (!coalesceKey.isNull()) {
    sql::execute(session, "INSERT INTO job_events (job_id, event_id, at) SELECT ?, event_id, at FROM job_events WHERE job_id = ?",
                 [&](auto& st) { st, bind(jobId), bind(request.jobId); });
  }
  appendHistory(session, jobId, creation.history, creation.historyData, at);
  return Rerun{jobId, request.jobId, facts.handlerId, facts.version};
}

}  // namespace hookhost::storage
