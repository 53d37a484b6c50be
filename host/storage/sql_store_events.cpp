#include "storage/sql_rows.hpp"
#include "storage/sql_store_coalesce.hpp"
#include "storage/sql_store.hpp"
#include "storage/tag_matching.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

Job jobFromRow(const sql::Rows& rows) {
  Job job;
  job.id = sql::integer(rows, "id");
  job.eventId = sql::integer(rows, "event_id");
  job.handlerId = sql::integer(rows, "handler_id");
  job.handlerVersion = static_cast<int>(sql::integer(rows, "handler_version"));
  job.handlerName = sql::text(rows, "handler_name");
  job.hook = sql::text(rows, "hook");
  job.ownerId = sql::integer(rows, "owner_id");
  job.state = parseJobState(sql::text(rows, "state")).value_or(JobState::Failed);
  job.attempt = static_cast<int>(sql::integer(rows, "attempt"));
  job.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
  job.result = sql::optionalText(rows, "result");
  job.error = sql::optionalText(rows, "error");
  job.output = sql::optionalText(rows, "output");
  job.createdAt = sql::integer(rows, "created_at");
  job.startedAt = sql::optionalInteger(rows, "started_at");
  job.finishedAt = sql::optionalInteger(rows, "finished_at");
  return job;
}

const char* kJobSelect =
    "SELECT j.*, h.name AS handler_name, h.hook AS hook, h.owner_id AS owner_id "
    "FROM jobs j JOIN handlers h ON h.id = j.handler_id ";

// Handlers without a filter (NULL) pay one type check; the others a cached compiled match.
bool admittedByFilter(filter::FilterCache& filters, const sql::Rows& handlers, const nlohmann::json& payload) {
  const auto* pattern = std::get_if<std::string>(&handlers["content_filter"]);
  if (pattern == nullptr) return true;
  return filters.admits(sql::integer(handlers, "id"), static_cast<int>(sql::integer(handlers, "version")), *pattern,
                        payload);
}

std::vector<FiredJob> firedJobsOf(sql::Connection& session, std::int64_t eventId) {
  auto rows = sql::query(session,
                         "SELECT j.id, j.handler_id, h.name FROM jobs j JOIN handlers h ON h.id = j.handler_id "
                         "WHERE j.event_id = ? OR j.id IN (SELECT job_id FROM job_events WHERE event_id = ?) "
                         "ORDER BY j.id",
                         [&](auto& st) { st, bind(eventId), bind(eventId); });
  std::vector<FiredJob> jobs;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    jobs.push_back({sql::integer(rows, "id"), sql::integer(rows, "handler_id"), sql::text(rows, "name")});
  }
  return jobs;
}

}  // namespace

Result<FireResult> SqlStore::fire(const NewEvent& event, std::int64_t maxQueued, const ClaimRequest& claim) {
  return writeLosingRaceOnce([&](sql::Connection& session) {
    auto fired = fireIn(session, event, maxQueued);
    if (fired && !fired->duplicate && !fired->jobs.empty() && claim.limit > 0) fired->claimed = claimIn(session, claim);
    return fired;
  });
}

Result<FireResult> SqlStore::fireIn(sql::Connection& session, const NewEvent& event, std::int64_t maxQueued) {
  if (event.key) {
    auto first = sql::query(session, "SELECT id FROM events WHERE hook = ? AND idem_key = ?",
                            [&](auto& st) { st, bind(event.hook), bind(*event.key); });
    if (first.moveFirst()) {
      std::int64_t eventId = sql::integer(first, "id");
      return FireResult{eventId, firedJobsOf(session, eventId), true, {}};
    }
  }
  std::vector<WindowMatch> matches = handlersMatching(session, event);
  if (queuedNow(session) + static_cast<std::int64_t>(matches.size()) > maxQueued) {
    return makeError(ErrorKind::QueueFull, "queue_full",
                     "the job queue is full (" + std::to_string(queued_.inTransaction()) + " queued, limit " +
                         std::to_string(maxQueued) + "); try again later");
  }
  Micros at = sql::databaseNow(session);
  FireResult fired{insertEvent(session, event, at), {}, false, {}};
  createJobs(session, event, matches, fired, at);
  return fired;
}

std::vector<SqlStore::WindowMatch> SqlStore::handlersMatching(sql::Connection& session, const NewEvent& event) {
  std::vector<WindowMatch> matches;
  auto handlers = sql::query(session,
                             "SELECT id, version, max_attempts, name, tags, content_filter, coalesce_settings FROM handlers "
                             "WHERE hook = ? AND deleted_at IS NULL ORDER BY id",
                             [&](auto& st) { st, bind(event.hook); });
  for (bool more = handlers.moveFirst(); more; more = handlers.moveNext()) {
    if (!tagsMatch(event.tags, sql::stringList(sql::json(handlers, "tags")))) continue;
    if (!admittedByFilter(filters_, handlers, event.payload)) continue;
    matches.push_back({sql::integer(handlers, "id"), static_cast<int>(sql::integer(handlers, "version")),
                       static_cast<int>(sql::integer(handlers, "max_attempts")), sql::text(handlers, "name"),
                       std::nullopt});
    // The one check a handler without coalescing costs: its NULL column.
    if (auto coalesce = sql::optionalText(handlers, "coalesce_settings")) matches.back().coalesce = jobs::coalesceFromText(*coalesce);
  }
  return matches;
}

std::int64_t SqlStore::insertEvent(sql::Connection& session, const NewEvent& event, Micros at) {
  std::string payload = event.payload.dump();
  std::string tags = nlohmann::json(event.tags).dump();
  Poco::Nullable<std::string> key;
  if (event.key) key = *event.key;
  Poco::Nullable<Poco::Int64> parent, root;
  if (event.parentJobId) parent = *event.parentJobId;
  if (event.rootEventId) root = *event.rootEventId;
  return sql::insert(
      session,
      "INSERT INTO events (hook, payload, tags, idem_key, parent_job_id, depth, created_by, created_at, "
      "root_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [&](auto& st) {
        st, bind(event.hook), bind(payload), bind(tags), bind(key), bind(parent), bind(event.depth),
            bind(event.createdBy), bind(at), bind(root);
      });
}

void SqlStore::createJobs(sql::Connection& session, const NewEvent& event, const std::vector<WindowMatch>& matches,
                          FireResult& fired, Micros at) {
  const std::string queued = jobStateName(JobState::Queued);
  std::int64_t queuedJobs = 0;
  for (const WindowMatch& match : matches) {
    nlohmann::json created = {{"event_id", fired.eventId}, {"handler_id", match.id}, {"handler_version", match.version}};
    if (match.coalesce) {
      auto window = jobs::coalesceKeyOf(*match.coalesce, event.payload);
      if (window.key) {
        fired.jobs.push_back({gatherInWindow(session, fired.eventId, match, *window.key, at), match.id, match.name});
        continue;
      }
      // DESIGN: not merged with other events lacking it either; the history says why.
      created["coalesce"] = {{"coalesced", false}, {"reason", "the payload has no " + window.missingPointer}};
    }
    ++queuedJobs;
    std::int64_t jobId = sql::insert(
        session,
        "INSERT INTO jobs (event_id, handler_id, handler_version, state, attempt, max_attempts, run_after, "
        "created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
        [&](auto& st) {
          st, bind(fired.eventId), bind(match.id), bind(match.version), bind(queued), bind(match.maxAttempts),
              bind(at), bind(at);
        });
    appendHistory(session, jobId, jobs::HistoryKind::Create, created, at);
    fired.jobs.push_back({jobId, match.id, match.name});
  }
  queued_.add(queuedJobs);
}

void SqlStore::appendHistory(sql::Connection& session, std::int64_t jobId, jobs::HistoryKind kind,
                             const nlohmann::json& data, Micros at) {
  std::string text = data.dump();
  std::string kindName = jobs::historyKindName(kind);
  sql::executeLater(session, "INSERT INTO job_history (job_id, kind, at, data) VALUES (?, ?, ?, ?)",
                    [&](auto& st) { st, bind(jobId), bind(kindName), bind(at), bind(text); });
}

std::optional<Event> SqlStore::getEvent(std::int64_t id) {
  return read([&](sql::Connection& session) -> std::optional<Event> {
    auto rows = sql::query(session, "SELECT * FROM events WHERE id = ?", [&](auto& st) { st, bind(id); });
    if (!rows.moveFirst()) return std::nullopt;
    return eventFromRow(rows);
  });
}

Event eventFromRow(const sql::Rows& rows) {
  Event event;
  event.id = sql::integer(rows, "id");
  event.hook = sql::text(rows, "hook");
  event.payload = sql::json(rows, "payload");
  event.tags = sql::stringList(sql::json(rows, "tags"));
  event.key = sql::optionalText(rows, "idem_key");
  event.parentJobId = sql::optionalInteger(rows, "parent_job_id");
  event.rootEventId = sql::optionalInteger(rows, "root_event_id").value_or(event.id);
  event.depth = static_cast<int>(sql::integer(rows, "depth"));
  event.createdBy = sql::text(rows, "created_by");
  event.createdAt = sql::integer(rows, "created_at");
  return event;
}

std::vector<Job> SqlStore::readJobs(sql::Connection& session, const std::string& where,
                                    const std::function<void(sql::Params&)>& bindParameters) {
  auto rows = sql::query(session, kJobSelect + where, bindParameters);
  std::vector<Job> jobs;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) jobs.push_back(jobFromRow(rows));
  return jobs;
}

std::vector<Job> SqlStore::jobsOfEvent(std::int64_t eventId) {
  return read([&](sql::Connection& session) {
    // A coalesced job is the job of every event it gathered, not only of its first.
    return readJobs(session,
                    "WHERE j.event_id = ? OR j.id IN (SELECT job_id FROM job_events WHERE event_id = ?) ORDER BY j.id",
                    [&](auto& st) { st, bind(eventId), bind(eventId); });
  });
}

std::optional<Job> SqlStore::getJob(std::int64_t id) {
  return read([&](sql::Connection& session) -> std::optional<Job> {
    auto jobs = readJobs(session, "WHERE j.id = ?", [&](auto& st) { st, bind(id); });
    if (jobs.empty()) return std::nullopt;
    Job job = std::move(jobs.front());
    auto rows = sql::query(session, "SELECT kind, at, data FROM job_history WHERE job_id = ? ORDER BY id",
                           [&](auto& st) { st, bind(id); });
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      job.history.push_back({sql::text(rows, "kind"), sql::integer(rows, "at"), sql::json(rows, "data")});
    }
    return job;
  });
}

std::vector<Job> SqlStore::listJobs(const JobQuery& query) {
  std::string where = "WHERE j.id > ?";
  std::string state = query.state ? jobStateName(*query.state) : "";
  if (query.state) where += " AND j.state = ?";
  // Unfinished jobs are found through jobs_runnable, which holds only them (migration 11).
  if (query.state && !jobs::isTerminal(*query.state)) where += " AND j.finished_at IS NULL";
  if (query.handlerId) where += " AND j.handler_id = ?";
  if (query.eventId) where += " AND j.event_id = ?";
  if (query.ownerId) where += " AND h.owner_id = ?";
  if (query.hook) where += " AND h.hook = ?";
  if (query.createdSince) where += " AND j.created_at >= ?";
  if (query.createdUntil) where += " AND j.created_at < ?";
  where += " ORDER BY j.id LIMIT ?";
  return read([&](sql::Connection& session) {
    return readJobs(session, where, [&](auto& st) {
      st, bind(query.after);
      if (query.state) st, bind(state);
      if (query.handlerId) st, bind(*query.handlerId);
      if (query.eventId) st, bind(*query.eventId);
      if (query.ownerId) st, bind(*query.ownerId);
      if (query.hook) st, bind(*query.hook);
      if (query.createdSince) st, bind(*query.createdSince);
      if (query.createdUntil) st, bind(*query.createdUntil);
      st, bind(query.limit);
    });
  });
}

}  // namespace hookhost::storage
