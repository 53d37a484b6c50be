// Coalescing windows in the store: the fire's side (gathering an event into a PENDING job),
// the claim's (the gathered events of a coalesced job) and the closer's (due windows go
// QUEUED by the table's WindowClosed move).
#include "storage/sql_store_coalesce.hpp"

#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// A bound on one closing pass; the next tick takes the rest.
constexpr int kWindowsPerPass = 200;

}  // namespace

std::int64_t SqlStore::gatherInWindow(sql::Connection& session, std::int64_t eventId, const WindowMatch& match,
                                      const std::string& key, Micros at) {
  const jobs::CoalesceSettings& settings = *match.coalesce;
  const std::string pending = jobStateName(JobState::Pending);
  // On PostgreSQL the row lock orders fires into one window; two hosts opening the same
  // window at once meet the unique index jobs_pending_key, and the loser's retry joins it.
  auto open = sql::query(session,
                         std::string("SELECT id, created_at FROM jobs WHERE handler_id = ? AND coalesce_key = ? "
                                     "AND state = ?") + sql::lockForUpdate(session.dialect()),
                         [&](auto& st) { st, bind(match.id), bind(key), bind(pending); });
  std::int64_t jobId = 0;
  Micros closesAt = 0;
  if (open.moveFirst()) {
    jobId = sql::integer(open, "id");
    closesAt = jobs::windowClosesAt(settings, sql::integer(open, "created_at"), at);
    sql::execute(session, "UPDATE jobs SET run_after = ? WHERE id = ?",
                 [&](auto& st) { st, bind(closesAt), bind(jobId); });
  } else {
    closesAt = jobs::windowClosesAt(settings, at, at);
    jobId = sql::insert(
        session,
        "INSERT INTO jobs (event_id, handler_id, handler_version, state, attempt, max_attempts, run_after, "
        "created_at, coalesce_key) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
        [&](auto& st) {
          st, bind(eventId), bind(match.id), bind(match.version), bind(pending), bind(match.maxAttempts),
              bind(closesAt), bind(at), bind(key);
        });
    appendHistory(session, jobId, jobs::HistoryKind::Create,
                  {{"event_id", eventId},
                   {"handler_id", match.id},
                   {"handler_version", match.version},
                   {"coalesce", {{"key", nlohmann::json::parse(key)}, {"settings", jobs::coalesceToJson(settings)}}}},
                  at);
  }
  sql::execute(session, "INSERT INTO job_events (job_id, event_id, at) VALUES (?, ?, ?)",
               [&](auto& st) { st, bind(jobId), bind(eventId), bind(at); });
  appendHistory(session, jobId, jobs::HistoryKind::Coalesce,
                {{"event_id", eventId}, {"window_closes_at", formatRfc3339(closesAt)}}, at);
  return jobId;
}

nlohmann::json gatheredEvents(sql::Connection& session, std::int64_t jobId) {
  auto rows = sql::query(session,
                         "SELECT e.id, e.hook, e.payload, e.created_at FROM job_events je "
                         "JOIN events e ON e.id = je.event_id WHERE je.job_id = ? ORDER BY je.at, e.id",
                         [&](auto& st) { st, bind(jobId); });
  nlohmann::json events = nlohmann::json::array();
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    events.push_back({{"event_id", sql::integer(rows, "id")},
                      {"hook", sql::text(rows, "hook")},
                      {"payload", sql::json(rows, "payload")},
                      {"at", formatRfc3339(sql::integer(rows, "created_at"))}});
  }
  return events;
}

std::int64_t openJobsInChains(sql::Connection& session, std::int64_t jobId) {
  auto roots = sql::query(session,
                          "SELECT DISTINCT COALESCE(e.root_event_id, e.id) AS root FROM job_events je "
                          "JOIN events e ON e.id = je.event_id WHERE je.job_id = ?",
                          [&](auto& st) { st, bind(jobId); });
  std::vector<std::int64_t> ids;
  for (bool more = roots.moveFirst(); more; more = roots.moveNext()) ids.push_back(sql::integer(roots, "root"));
  if (ids.empty()) return 0;
  const std::string in = sql::placeholders(ids.size());
  // Other PENDING jobs do not hold the window: two after_chain windows of one chain would
  // otherwise wait for each other until their max_wait_s.
  auto open = sql::query(session,
                         "SELECT count(*) AS n FROM jobs j JOIN events e ON e.id = j.event_id "
                         "WHERE (e.id IN (" + in + ") OR e.root_event_id IN (" + in + ")) AND j.id <> ? "
                         "AND j.state <> 'PENDING' AND j.state NOT IN " + sql::terminalStatesList(),
                         [&](auto& st) {
                           for (auto id : ids) st, bind(id);
                           for (auto id : ids) st, bind(id);
                           st, bind(jobId);
                         });
  return open.moveFirst() ? sql::integer(open, "n") : 0;
}

int SqlStore::closeDueWindows(const CloseWindow& close) {
  const std::string pending = jobStateName(JobState::Pending);
  // The common answer, no window due, costs a read and no write transaction.
  const bool due = read([&](sql::Connection& session) {
    Micros now = sql::databaseNow(session);
    auto rows = sql::query(session, "SELECT 1 FROM jobs WHERE state = ? AND finished_at IS NULL AND run_after <= ? LIMIT 1",
                           [&](auto& st) { st, bind(pending), bind(now); });
    return rows.moveFirst();
  });
  if (!due) return 0;
  return writer_.run([&](sql::Connection& session) {
    Micros now = sql::databaseNow(session);
    auto rows = sql::query(session,
                           std::string("SELECT j.id, j.attempt, j.max_attempts, j.created_at, v.coalesce_settings FROM jobs j "
                                       "JOIN handler_versions v ON v.handler_id = j.handler_id "
                                       "AND v.version = j.handler_version "
                                       "WHERE j.state = ? AND j.finished_at IS NULL AND j.run_after <= ? ORDER BY j.run_after, j.id LIMIT ") +
                               std::to_string(kWindowsPerPass) + sql::lockAndSkipLocked(session.dialect()),
                           [&](auto& st) { st, bind(pending), bind(now); });
    struct Due {
      jobs::JobFacts facts;
      Micros firstAt;
      jobs::CoalesceSettings settings;
    };
    std::vector<Due> windows;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      Due window{{}, sql::integer(rows, "created_at"), {}};
      window.facts.jobId = sql::integer(rows, "id");
      window.facts.state = JobState::Pending;
      window.facts.attempt = static_cast<int>(sql::integer(rows, "attempt"));
      window.facts.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
      window.facts.now = now;
      window.settings = jobs::coalesceFromText(sql::optionalText(rows, "coalesce_settings").value_or("")).value_or(window.settings);
      windows.push_back(std::move(window));
    }
    int closed = 0;
    for (const Due& window : windows) {
      const bool capped = now >= window.firstAt + window.settings.maxWait();
      nlohmann::json data = nlohmann::json::object();
      if (window.settings.afterChain) {
        const std::int64_t open = openJobsInChains(session, window.facts.jobId);
        // max_wait_s caps the wait for the chain too: nothing waits forever on a stuck job.
        if (open > 0 && !capped) continue;
        data["chain_jobs_still_open"] = open;
      }
      const std::string closedBy = capped ? "max_wait_s" : window.settings.afterChain ? "quiet_s and chain done" : "quiet_s";
      if (applyDecision(session, {window.facts.jobId, window.facts.attempt}, close(window.facts, closedBy, data), now)) {
        ++closed;
      }
    }
    return closed;
  });
}

}  // namespace hookhost::storage
