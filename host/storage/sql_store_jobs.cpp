#include <limits>

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

}  // namespace

CompletionOutcome SqlStore::completeJob(std::int64_t jobId, int attempt, const Completion& completion) {
  return writer_.run([&](sql::Connection& session) { return completeIn(session, jobId, attempt, completion); });
}

void SqlStore::completeJobLater(std::int64_t jobId, int attempt, Completion completion,
                                std::function<void(std::optional<CompletionOutcome>)> recorded) {
  writer_.postForResult(
      [this, jobId, attempt, completion = std::move(completion)](sql::Connection& session) {
        return completeIn(session, jobId, attempt, completion);
      },
      [recorded = std::move(recorded)](std::optional<CompletionOutcome> outcome, std::exception_ptr) {
        recorded(outcome);
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
