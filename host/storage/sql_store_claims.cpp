// Taking queued jobs under a lease: batches, concurrency caps, plugins left to other hosts.
#include "storage/sql_store.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "storage/sql_rows.hpp"
#include "storage/sql_store_coalesce.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// How far past `limit` the claim looks, so jobs of handlers at their concurrency limit do
// not hide the runnable jobs of other handlers behind them.
constexpr std::size_t kClaimLookahead = 4;

// A LIKE pattern matching texts that start with `prefix`, its wildcards escaped with '!'.
std::string likePrefix(const std::string& prefix) {
  std::string pattern;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '!') pattern += '!';
    pattern += c;
  }
  return pattern + "%";
}

ClaimedJob claimedFromRow(const sql::Rows& rows) {
  ClaimedJob job;
  job.jobId = sql::integer(rows, "id");
  job.eventId = sql::integer(rows, "event_id");
  job.attempt = static_cast<int>(sql::integer(rows, "attempt"));
  job.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
  job.createdAt = sql::integer(rows, "created_at");
  job.ownerName = sql::text(rows, "owner_name");
  job.payload = sql::json(rows, "payload");
  job.eventDepth = static_cast<int>(sql::integer(rows, "depth"));
  job.rootEventId = sql::optionalInteger(rows, "root_event_id").value_or(job.eventId);
  job.eventAt = sql::integer(rows, "event_at");
  Handler& handler = job.handler;
  handler.id = sql::integer(rows, "handler_id");
  handler.version = static_cast<int>(sql::integer(rows, "handler_version"));
  handler.ownerId = sql::integer(rows, "owner_id");
  HandlerSpec& spec = handler.spec;
  spec.name = sql::text(rows, "handler_name");
  spec.hook = sql::text(rows, "hook");
  spec.runtime = runtimeNamed(sql::text(rows, "runtime"));
  spec.code = sql::text(rows, "code");
  spec.plugin = sql::text(rows, "plugin");
  spec.pythonVersion = sql::text(rows, "python_version");
  spec.config = sql::json(rows, "config");
  if (!spec.config.is_object()) spec.config = nlohmann::json::object();
  spec.timeoutS = static_cast<int>(sql::integer(rows, "timeout_s"));
  spec.maxAttempts = job.maxAttempts;
  spec.notifyOnSuccess = sql::text(rows, "notify_on_success");
  spec.notifyOnFailure = sql::text(rows, "notify_on_failure");
  return job;
}

}  // namespace

std::vector<ClaimedJob> SqlStore::claimJobs(const std::string& owner, std::size_t limit, Micros leaseFor,
                                            const std::vector<std::string>& leavePlugins) {
  return writer_.run(
      [&](sql::Connection& session) { return claimIn(session, ClaimRequest{owner, limit, leaseFor, leavePlugins}); });
}

std::vector<ClaimedJob> SqlStore::claimIn(sql::Connection& session, const ClaimRequest& claim) {
  Micros at = sql::databaseNow(session);
  std::vector<std::int64_t> chosen = claimableJobs(session, claim, at);
  if (chosen.empty()) return std::vector<ClaimedJob>{};
  return leaseJobs(session, chosen, claim.owner, at + claim.leaseFor, at);
}

std::vector<std::int64_t> SqlStore::claimableJobs(sql::Connection& session, const ClaimRequest& claim, Micros at) {
  const std::size_t limit = claim.limit;
  const sql::Dialect dialect = session.dialect();
  const std::string queuedState = jobStateName(JobState::Queued);
  auto lookahead = static_cast<Poco::Int64>(limit * kClaimLookahead);
  std::vector<std::string> leavePatterns;
  for (const auto& plugin : claim.leavePlugins) leavePatterns.push_back(likePrefix(plugin + "/"));
  std::string leave;
  if (!leavePatterns.empty()) {
    leave = " AND NOT EXISTS (SELECT 1 FROM handler_versions v WHERE v.handler_id = j.handler_id "
            "AND v.version = j.handler_version AND v.runtime = 'plugin' AND (";
    for (std::size_t i = 0; i < leavePatterns.size(); ++i) leave += i ? " OR v.plugin LIKE ? ESCAPE '!'" : "v.plugin LIKE ? ESCAPE '!'";
    leave += "))";
  }
  // finished_at IS NULL lets the query use jobs_runnable, which holds only unfinished jobs.
  // The candidates are locked on PostgreSQL (rows other hosts are claiming are skipped),
  // so the UPDATE below cannot race another host for them.
  auto candidates = sql::query(
      session,
      "WITH candidates AS (SELECT j.id, j.handler_id, j.run_after FROM jobs j "
      "WHERE j.state = ? AND j.finished_at IS NULL AND j.run_after <= ?" + leave + " ORDER BY j.run_after, j.id LIMIT ?" +
          sql::lockAndSkipLocked(dialect) +
          ") SELECT c.id, c.handler_id, h.max_concurrency FROM candidates c JOIN handlers h ON h.id = c.handler_id "
          "ORDER BY c.run_after, c.id",
      [&](auto& st) {
        st, bind(queuedState), bind(at);
        for (const auto& pattern : leavePatterns) st, bind(pattern);
        st, bind(lookahead);
      });
  struct Candidate {
    std::int64_t id, handlerId, cap;
  };
  std::vector<Candidate> picked;
  std::vector<std::int64_t> capped;
  for (bool more = candidates.moveFirst(); more; more = candidates.moveNext()) {
    picked.push_back({sql::integer(candidates, "id"), sql::integer(candidates, "handler_id"),
                      sql::integer(candidates, "max_concurrency")});
    if (picked.back().cap > 0) capped.push_back(picked.back().handlerId);
  }
  std::map<std::int64_t, std::int64_t> running = runningPerHandler(session, capped);

  std::vector<std::int64_t> chosen;
  for (const Candidate& candidate : picked) {
    if (chosen.size() == limit) break;
    if (candidate.cap > 0 && running[candidate.handlerId] >= candidate.cap) continue;
    ++running[candidate.handlerId];
    chosen.push_back(candidate.id);
  }
  return chosen;
}

std::vector<ClaimedJob> SqlStore::leaseJobs(sql::Connection& session, const std::vector<std::int64_t>& chosen,
                                            const std::string& owner, Micros leaseUntil, Micros at) {
  // Every job of the batch makes the table's (QUEUED, claimed) move, in one statement.
  jobs::TriggerInput claimedBy;
  claimedBy.trigger = jobs::Trigger::Claimed;
  claimedBy.host = owner;
  auto moveOf = [&](int attempt) {
    jobs::JobFacts facts;
    facts.state = JobState::Queued;
    facts.attempt = attempt;
    return std::get<jobs::Transition>(jobs::decide(facts, claimedBy));
  };
  const jobs::Transition move = moveOf(0);
  const std::string runningState = jobStateName(move.next);
  const std::string ids = sql::placeholders(chosen.size());
  sql::execute(session,
               "UPDATE jobs SET state = ?, attempt = attempt + 1, lease_owner = ?, "
               "lease_expires_at = ?, started_at = ? WHERE id IN (" + ids + ")",
               [&](auto& st) {
                 st, bind(runningState), bind(owner), bind(leaseUntil), bind(at);
                 for (const auto& id : chosen) st, bind(id);
               });
  auto rows = sql::query(
      session,
      "SELECT j.id, j.event_id, j.attempt, j.max_attempts, j.created_at, j.handler_id, j.handler_version, "
      "h.name AS handler_name, h.hook, h.owner_id, h.notify_on_success, h.notify_on_failure, "
      "v.runtime, v.code, v.plugin, v.config, v.python_version, v.timeout_s, u.name AS owner_name, e.depth, e.root_event_id, e.created_at AS event_at, j.coalesce_key, "
      // a re-run's edited payload, else the event's
      "COALESCE(j.payload, e.payload) AS payload, CASE WHEN j.payload IS NULL THEN 0 ELSE 1 END AS payload_edited "
      "FROM jobs j JOIN handlers h ON h.id = j.handler_id "
      "JOIN handler_versions v ON v.handler_id = j.handler_id AND v.version = j.handler_version "
      "JOIN users u ON u.id = h.owner_id JOIN events e ON e.id = j.event_id WHERE j.id IN (" + ids + ") "
      "ORDER BY j.run_after, j.id",
      [&](auto& st) {
        for (const auto& id : chosen) st, bind(id);
      });
  std::vector<ClaimedJob> claimed;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    ClaimedJob job = claimedFromRow(rows);
    // The one check a job of one event costs: a coalesced job runs with all it gathered.
    if (sql::optionalText(rows, "coalesce_key")) {
      job.events = gatheredEvents(session, job.jobId);
      if (!job.events.empty() && sql::integer(rows, "payload_edited") == 0) job.payload = job.events.back()["payload"];
    }
    const jobs::Transition started = moveOf(job.attempt - 1);
    appendHistory(session, job.jobId, started.history, started.historyData, at);
    claimed.push_back(std::move(job));
  }
  queued_.add(-static_cast<std::int64_t>(claimed.size()));
  return claimed;
}

std::map<std::int64_t, std::int64_t> SqlStore::runningPerHandler(sql::Connection& session,
                                                                 std::vector<std::int64_t> handlerIds) {
  std::map<std::int64_t, std::int64_t> running;
  if (handlerIds.empty()) return running;
  std::sort(handlerIds.begin(), handlerIds.end());
  handlerIds.erase(std::unique(handlerIds.begin(), handlerIds.end()), handlerIds.end());
  const std::string ids = sql::placeholders(handlerIds.size());
  auto bindIds = [&](auto& st) {
    for (const auto& id : handlerIds) st, bind(id);
  };
  if (session.dialect() == sql::Dialect::Postgres) {
    // Hosts claiming jobs of one capped handler take turns (in id order, so never in a
    // cycle): each counts what the others have started before choosing.
    sql::query(session, "SELECT id FROM handlers WHERE id IN (" + ids + ") ORDER BY id FOR UPDATE", bindIds);
  }
  const std::string runningState = jobStateName(JobState::Running);
  auto rows = sql::query(session,
                         "SELECT handler_id, count(*) AS n FROM jobs WHERE state = ? AND handler_id IN (" + ids +
                             ") GROUP BY handler_id",
                         [&](auto& st) {
                           st, bind(runningState);
                           bindIds(st);
                         });
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    running[sql::integer(rows, "handler_id")] = sql::integer(rows, "n");
  }
  return running;
}

void SqlStore::renewLeases(const std::string& owner, const std::vector<std::int64_t>& jobIds, Micros leaseFor) {
  if (jobIds.empty()) return;
  writer_.run([&](sql::Connection& session) {
    Micros leaseUntil = sql::databaseNow(session) + leaseFor;
    const std::string running = jobStateName(JobState::Running);
    sql::execute(session,
                 "UPDATE jobs SET lease_expires_at = ? WHERE lease_owner = ? AND state = ? AND id IN (" +
                     sql::placeholders(jobIds.size()) + ")",
                 [&](auto& st) {
                   st, bind(leaseUntil), bind(owner), bind(running);
                   for (const auto& id : jobIds) st, bind(id);
                 });
  });
}

}  // namespace hookhost::storage
