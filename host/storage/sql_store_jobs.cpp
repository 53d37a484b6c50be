#include <algorithm>
#include <limits>
#include <map>

#include "common/constant_time.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// A lost lease means the host or its connection was lost, not that the handler failed, so
// it does not use up the handler's attempts; this many losses on top of them bound a job
// that takes its host down every time it runs.
constexpr int kLostLeaseAllowance = 2;

// How far past `limit` the claim looks, so jobs of handlers at their concurrency limit do
// not hide the runnable jobs of other handlers behind them.
constexpr std::size_t kClaimLookahead = 4;

const char* historyKindFor(JobState next) {
  switch (next) {
    case JobState::Succeeded: return "FINISH";
    case JobState::Failed: return "FAIL";
    case JobState::TimedOut: return "TIMEOUT";
    case JobState::Waiting: return "DEFER";
    case JobState::Queued: return "RETRY";
    case JobState::Cancelled: return "CANCEL";
    case JobState::Running: return "RUN";
  }
  return "FAIL";
}

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
  Handler& handler = job.handler;
  handler.id = sql::integer(rows, "handler_id");
  handler.version = static_cast<int>(sql::integer(rows, "handler_version"));
  handler.ownerId = sql::integer(rows, "owner_id");
  HandlerSpec& spec = handler.spec;
  spec.name = sql::text(rows, "handler_name");
  spec.hook = sql::text(rows, "hook");
  spec.runtime = sql::text(rows, "runtime");
  spec.code = sql::text(rows, "code");
  spec.plugin = sql::text(rows, "plugin");
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
  const std::string& owner = claim.owner;
  const std::size_t limit = claim.limit;
  const sql::Dialect dialect = session.dialect();
  Micros at = sql::databaseNow(session);
  Micros leaseUntil = at + claim.leaseFor;
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
  // The candidates are locked on PostgreSQL (rows other hosts are claiming are skipped),
  // so the UPDATE below cannot race another host for them.
  auto candidates = sql::query(
      session,
      "WITH candidates AS (SELECT j.id, j.handler_id, j.run_after FROM jobs j "
      "WHERE j.state = 'QUEUED' AND j.run_after <= ?" + leave + " ORDER BY j.run_after, j.id LIMIT ?" +
          sql::lockAndSkipLocked(dialect) +
          ") SELECT c.id, c.handler_id, h.max_concurrency FROM candidates c JOIN handlers h ON h.id = c.handler_id "
          "ORDER BY c.run_after, c.id",
      [&](auto& st) {
        st, bind(at);
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
  if (chosen.empty()) return std::vector<ClaimedJob>{};

  const std::string ids = sql::placeholders(chosen.size());
  sql::execute(session,
               "UPDATE jobs SET state = 'RUNNING', attempt = attempt + 1, lease_owner = ?, "
               "lease_expires_at = ?, started_at = ? WHERE id IN (" + ids + ")",
               [&](auto& st) {
                 st, bind(owner), bind(leaseUntil), bind(at);
                 for (const auto& id : chosen) st, bind(id);
               });
  auto rows = sql::query(
      session,
      "SELECT j.id, j.event_id, j.attempt, j.max_attempts, j.created_at, j.handler_id, j.handler_version, "
      "h.name AS handler_name, h.hook, h.owner_id, h.notify_on_success, h.notify_on_failure, "
      "v.runtime, v.code, v.plugin, v.config, v.timeout_s, u.name AS owner_name, e.payload, e.depth "
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
    appendHistory(session, job.jobId, "RUN", {{"attempt", job.attempt}, {"host", owner}}, at);
    claimed.push_back(std::move(job));
  }
  queued_ -= static_cast<std::int64_t>(claimed.size());
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
  auto rows = sql::query(session,
                         "SELECT handler_id, count(*) AS n FROM jobs WHERE state = 'RUNNING' AND handler_id IN (" +
                             ids + ") GROUP BY handler_id",
                         bindIds);
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    running[sql::integer(rows, "handler_id")] = sql::integer(rows, "n");
  }
  return running;
}

void SqlStore::renewLeases(const std::string& owner, const std::vector<std::int64_t>& jobIds, Micros leaseFor) {
  if (jobIds.empty()) return;
  writer_.run([&](sql::Connection& session) {
    Micros leaseUntil = sql::databaseNow(session) + leaseFor;
    sql::execute(session,
                 "UPDATE jobs SET lease_expires_at = ? WHERE lease_owner = ? AND state = 'RUNNING' AND id IN (" +
                     sql::placeholders(jobIds.size()) + ")",
                 [&](auto& st) {
                   st, bind(leaseUntil), bind(owner);
                   for (const auto& id : jobIds) st, bind(id);
                 });
  });
}

CompletionOutcome SqlStore::completeJob(std::int64_t jobId, int attempt, const Completion& completion) {
  return writer_.run([&](sql::Connection& session) { return completeIn(session, jobId, attempt, completion); });
}

void SqlStore::completeJobLater(std::int64_t jobId, int attempt, Completion completion,
                                std::function<void(std::optional<CompletionOutcome>)> recorded) {
  auto outcome = std::make_shared<CompletionOutcome>(CompletionOutcome::Stale);
  writer_.post(
      [this, jobId, attempt, completion = std::move(completion), outcome](sql::Connection& session) {
        *outcome = completeIn(session, jobId, attempt, completion);
      },
      [outcome, recorded = std::move(recorded)](std::exception_ptr failure) {
        recorded(failure ? std::nullopt : std::optional<CompletionOutcome>(*outcome));
      });
}

CompletionOutcome SqlStore::completeIn(sql::Connection& session, std::int64_t jobId, int attempt,
                                       const Completion& completion) {
  Micros at = sql::databaseNow(session);
  const JobState next = completion.next;
  std::string state = jobStateName(next);
  Poco::Nullable<Poco::Int64> finishedAt;
  if (isTerminal(next)) finishedAt = at;
  Poco::Nullable<std::string> tokenHash;
  if (completion.tokenHash) tokenHash = *completion.tokenHash;
  Poco::Nullable<Poco::Int64> deadline;
  if (next == JobState::Waiting) deadline = at + completion.deadlineAfter;
  Micros runAfter = next == JobState::Queued ? at + completion.retryAfter : at;
  Poco::Nullable<std::string> result;
  if (next == JobState::Succeeded) result = completion.result;
  Poco::Nullable<std::string> error;
  if (!completion.error.empty()) error = completion.error;

  auto changed = sql::execute(
      session,
      "UPDATE jobs SET state = ?, result = ?, error = ?, output = ?, lease_owner = NULL, lease_expires_at = NULL, "
      "run_after = ?, token_hash = ?, deadline_at = ?, finished_at = ? "
      "WHERE id = ? AND attempt = ? AND state = 'RUNNING'",
      [&](auto& st) {
        st, bind(state), bind(result), bind(error), bind(completion.output), bind(runAfter), bind(tokenHash),
            bind(deadline), bind(finishedAt), bind(jobId), bind(attempt);
      });
  if (changed == 0) {
    // A late answer from an attempt whose lease was lost: recorded for the operator, never applied.
    appendHistory(session, jobId, "UPDATE",
                  {{"rejected", "stale completion"}, {"attempt", attempt}, {"outcome", state}}, at);
    return CompletionOutcome::Stale;
  }

  nlohmann::json data = {{"attempt", attempt}};
  if (next == JobState::Succeeded || next == JobState::Waiting) {
    // Emits of an attempt that failed are dropped: a retry would emit them again.
    nlohmann::json emitted = nlohmann::json::array();
    for (NewEvent event : completion.emitted) {
      event.parentJobId = jobId;
      auto fired = fireIn(session, event, std::numeric_limits<std::int64_t>::max());
      if (fired) emitted.push_back({{"hook", event.hook}, {"event_id", fired->eventId}, {"duplicate", fired->duplicate}});
    }
    if (!emitted.empty()) data["emitted"] = emitted;
  }
  if (!completion.error.empty()) data["error"] = completion.error;
  if (next == JobState::Queued) data["next_attempt_at"] = formatRfc3339(runAfter);
  if (next == JobState::Waiting) data["deadline_at"] = formatRfc3339(at + completion.deadlineAfter);
  appendHistory(session, jobId, historyKindFor(next), data, at);
  if (next == JobState::Queued) ++queued_;
  if (isTerminal(next)) queueNotification(session, jobId, at);
  return CompletionOutcome::Applied;
}

CompletionOutcome SqlStore::appendUpdate(std::int64_t jobId, int attempt, const nlohmann::json& data) {
  return writer_.run([&](sql::Connection& session) {
    auto rows = sql::query(session, "SELECT 1 FROM jobs WHERE id = ? AND attempt = ? AND state = 'RUNNING'",
                           [&](auto& st) { st, bind(jobId), bind(attempt); });
    if (rows.rowCount() == 0) return CompletionOutcome::Stale;
    appendHistory(session, jobId, "UPDATE", {{"attempt", attempt}, {"progress", data}}, sql::databaseNow(session));
    return CompletionOutcome::Applied;
  });
}

Status SqlStore::applyCallback(std::int64_t jobId, const std::string& tokenHash, CallbackEvent event,
                               const nlohmann::json& data) {
  return writer_.run([&](sql::Connection& session) -> Status {
    auto rows = sql::query(session,
                           std::string("SELECT state, token_hash, deadline_at FROM jobs WHERE id = ?") +
                               sql::lockForUpdate(session.dialect()),
                           [&](auto& st) { st, bind(jobId); });
    if (!rows.moveFirst()) {
      return makeError(ErrorKind::NotFound, "job_not_found", "no job with id " + std::to_string(jobId));
    }
    auto stored = sql::optionalText(rows, "token_hash");
    if (!stored || !constantTimeEquals(*stored, tokenHash)) {
      return makeError(ErrorKind::Forbidden, "invalid_token", "the callback token is not valid for this job");
    }
    if (sql::text(rows, "state") != "WAITING") {
      return makeError(ErrorKind::Conflict, "job_not_waiting", "job " + std::to_string(jobId) + " is not waiting");
    }
    Micros at = sql::databaseNow(session);
    if (sql::integer(rows, "deadline_at") < at) {
      return makeError(ErrorKind::Forbidden, "token_expired", "the callback token has expired");
    }
    nlohmann::json entry = {{"source", "callback"}, {"data", data}};
    if (event == CallbackEvent::Update) {
      appendHistory(session, jobId, "UPDATE", entry, at);
      return Ok{};
    }
    if (event == CallbackEvent::Finish) {
      std::string result = data.is_object() && data.contains("result") && data["result"].is_string()
                               ? data["result"].get<std::string>()
                               : data.dump();
      sql::execute(session, "UPDATE jobs SET result = ? WHERE id = ?", [&](auto& st) { st, bind(result), bind(jobId); });
      finishJob(session, jobId, JobState::Succeeded, "FINISH", entry, at);
      return Ok{};
    }
    std::string error = data.is_object() && data.contains("error") && data["error"].is_string()
                            ? data["error"].get<std::string>()
                            : "failed by callback: " + data.dump();
    sql::execute(session, "UPDATE jobs SET error = ? WHERE id = ?", [&](auto& st) { st, bind(error), bind(jobId); });
    finishJob(session, jobId, JobState::Failed, "FAIL", entry, at);
    return Ok{};
  });
}

RescueCounts SqlStore::rescueExpired(RescueScope scope) {
  // Only a host that owns its store alone may take back jobs whose leases still run: on a
  // shared store they may be running on another host.
  if (sharing_ == Sharing::SharedByHosts) scope = RescueScope::ExpiredLeases;
  return writer_.run([&](sql::Connection& session) {
    const char* lock = sql::lockAndSkipLocked(session.dialect());
    RescueCounts counts;
    Micros now = sql::databaseNow(session);
    Micros cutoff = scope == RescueScope::AllRunning ? std::numeric_limits<Micros>::max() : now;
    auto running = sql::query(session,
                              std::string("SELECT id, attempt, max_attempts, lease_owner FROM jobs "
                                          "WHERE state = 'RUNNING' AND lease_expires_at < ?") + lock,
                              [&](auto& st) { st, bind(cutoff); });
    for (bool more = running.moveFirst(); more; more = running.moveNext()) {
      std::int64_t jobId = sql::integer(running, "id");
      int attempt = static_cast<int>(sql::integer(running, "attempt"));
      std::string reason = "the lease of " + sql::text(running, "lease_owner") + " expired (host or worker lost)";
      if (attempt < sql::integer(running, "max_attempts") + kLostLeaseAllowance) {
        sql::execute(session,
                     "UPDATE jobs SET state = 'QUEUED', run_after = ?, lease_owner = NULL, lease_expires_at = NULL "
                     "WHERE id = ?",
                     [&](auto& st) { st, bind(now), bind(jobId); });
        appendHistory(session, jobId, "RETRY", {{"attempt", attempt}, {"reason", reason}}, now);
        ++queued_;
        ++counts.requeued;
        continue;
      }
      sql::execute(session, "UPDATE jobs SET error = ? WHERE id = ?", [&](auto& st) { st, bind(reason), bind(jobId); });
      finishJob(session, jobId, JobState::Failed, "FAIL", {{"attempt", attempt}, {"error", reason}}, now);
      ++counts.failed;
    }
    if (scope == RescueScope::AllRunning) {
      // Notification leases have no owner: at the start of a host that owns its store
      // alone, any lease left is from its own crashed run, so the mail goes now.
      sql::execute(session, "UPDATE notifications SET lease_expires_at = NULL WHERE state = 'PENDING'", [](auto&) {});
    }
    auto waiting = sql::query(session, std::string("SELECT id FROM jobs WHERE state = 'WAITING' AND deadline_at < ?") + lock,
                              [&](auto& st) { st, bind(now); });
    for (bool more = waiting.moveFirst(); more; more = waiting.moveNext()) {
      std::int64_t jobId = sql::integer(waiting, "id");
      std::string error = "no callback finished the deferred job before its deadline";
      sql::execute(session, "UPDATE jobs SET error = ? WHERE id = ?", [&](auto& st) { st, bind(error), bind(jobId); });
      finishJob(session, jobId, JobState::TimedOut, "TIMEOUT", {{"error", error}}, now);
      ++counts.timedOut;
    }
    return counts;
  });
}

void SqlStore::finishJob(sql::Connection& session, std::int64_t jobId, JobState state, const std::string& kind,
                         const nlohmann::json& historyData, Micros at) {
  std::string name = jobStateName(state);
  sql::execute(session,
               "UPDATE jobs SET state = ?, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, "
               "token_hash = NULL WHERE id = ?",
               [&](auto& st) { st, bind(name), bind(at), bind(jobId); });
  appendHistory(session, jobId, kind, historyData, at);
  if (state != JobState::Cancelled) queueNotification(session, jobId, at);
}

void SqlStore::queueNotification(sql::Connection& session, std::int64_t jobId, Micros at) {
  auto rows = sql::query(session,
                         "SELECT j.event_id, j.handler_id, j.state, j.attempt, j.handler_version, j.result, j.error, "
                         "j.started_at, j.finished_at, h.name, h.hook, h.notify_on_success, h.notify_on_failure "
                         "FROM jobs j JOIN handlers h ON h.id = j.handler_id WHERE j.id = ?",
                         [&](auto& st) { st, bind(jobId); });
  if (!rows.moveFirst()) return;
  std::string state = sql::text(rows, "state");
  notify::Notification notification;
  notification.outcome = state == "SUCCEEDED"   ? notify::Outcome::Succeeded
                         : state == "TIMED_OUT" ? notify::Outcome::TimedOut
                                                : notify::Outcome::Failed;
  notification.recipient =
      sql::text(rows, notification.outcome == notify::Outcome::Succeeded ? "notify_on_success" : "notify_on_failure");
  if (notification.recipient.empty()) return;  // no address: nothing is sent, by the owner's choice
  notification.jobId = jobId;
  notification.eventId = sql::integer(rows, "event_id");
  notification.handlerId = sql::integer(rows, "handler_id");
  notification.handlerName = sql::text(rows, "name");
  notification.handlerVersion = static_cast<int>(sql::integer(rows, "handler_version"));
  notification.hook = sql::text(rows, "hook");
  notification.jobAttempt = static_cast<int>(sql::integer(rows, "attempt"));
  notification.result = sql::text(rows, "result");
  notification.error = sql::text(rows, "error");
  notification.startedAt = sql::integer(rows, "started_at");
  notification.finishedAt = sql::integer(rows, "finished_at");
  notification.jobPath = notify::jobPathOf(jobId);
  std::string snapshot = notify::notificationToJson(notification).dump();
  sql::execute(session,
               "INSERT INTO notifications (job_id, recipient, content, state, attempts, next_attempt_at, created_at) "
               "VALUES (?, ?, ?, 'PENDING', 0, ?, ?)",
               [&](auto& st) { st, bind(jobId), bind(notification.recipient), bind(snapshot), bind(at), bind(at); });
}

}  // namespace hookhost::storage
