// What a lost host leaves behind: running jobs whose lease expired, waiting jobs past their
// deadline. The rules decide; this finds them and writes what was decided.
#include <limits>

#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

void count(RescueCounts& counts, const jobs::Decision& decision) {
  auto* transition = std::get_if<jobs::Transition>(&decision);
  if (!transition) return;
  if (transition->next == JobState::Queued) ++counts.requeued;
  if (transition->next == JobState::Failed) ++counts.failed;
  if (transition->next == JobState::TimedOut) ++counts.timedOut;
}

}  // namespace

RescueCounts SqlStore::rescueExpired(RescueScope scope, const RescueRules& rules) {
  // Only a host that owns its store alone may take back jobs whose leases still run: on a
  // shared store they may be running on another host.
  if (sharing_ == Sharing::SharedByHosts) scope = RescueScope::ExpiredLeases;
  return writer_.run([&](sql::Connection& session) {
    RescueCounts counts;
    Micros now = sql::databaseNow(session);
    Micros cutoff = scope == RescueScope::AllRunning ? std::numeric_limits<Micros>::max() : now;
    rescueLostAttempts(session, cutoff, now, rules, counts);
    if (scope == RescueScope::AllRunning) {
      // Notification leases have no owner: at the start of a host that owns its store
      // alone, any lease left is from its own crashed run, so the mail goes now.
      sql::execute(session, "UPDATE notifications SET lease_expires_at = NULL WHERE state = 'PENDING'", [](auto&) {});
    }
    std::string waitingState = jobStateName(JobState::Waiting);
    auto waiting = sql::query(session,
                              std::string("SELECT id, attempt, max_attempts, deadline_at FROM jobs "
                                          "WHERE state = ? AND finished_at IS NULL AND deadline_at < ?") +
                                  sql::lockAndSkipLocked(session.dialect()),
                              [&](auto& st) { st, bind(waitingState), bind(now); });
    for (bool more = waiting.moveFirst(); more; more = waiting.moveNext()) {
      jobs::JobFacts facts;
      facts.jobId = sql::integer(waiting, "id");
      facts.state = JobState::Waiting;
      facts.attempt = static_cast<int>(sql::integer(waiting, "attempt"));
      facts.maxAttempts = static_cast<int>(sql::integer(waiting, "max_attempts"));
      facts.deadlineAt = sql::integer(waiting, "deadline_at");
      facts.now = now;
      auto decision = rules.deadlinePassed(facts);
      if (applyDecision(session, {facts.jobId, facts.attempt}, decision, now)) count(counts, decision);
    }
    return counts;
  });
}

int SqlStore::rescueLostAttempts(sql::Connection& session, Micros cutoff, Micros now, const RescueRules& rules,
                                 RescueCounts& counts) {
  std::string runningState = jobStateName(JobState::Running);
  auto running = sql::query(session,
                            std::string("SELECT j.id, j.attempt, j.max_attempts, j.lease_owner, v.runtime, v.plugin "
                                        "FROM jobs j JOIN handler_versions v ON v.handler_id = j.handler_id "
                                        "AND v.version = j.handler_version "
                                        "WHERE j.state = ? AND j.finished_at IS NULL AND j.lease_expires_at < ?") +
                                // the jobs' rows only, as lockAndSkipLocked would for jobs alone
                                (session.dialect() == sql::Dialect::Postgres ? " FOR UPDATE OF j SKIP LOCKED" : ""),
                            [&](auto& st) { st, bind(runningState), bind(cutoff); });
  int found = 0;
  for (bool more = running.moveFirst(); more; more = running.moveNext(), ++found) {
    LostAttempt lost;
    lost.facts.jobId = sql::integer(running, "id");
    lost.facts.state = JobState::Running;
    lost.facts.attempt = static_cast<int>(sql::integer(running, "attempt"));
    lost.facts.maxAttempts = static_cast<int>(sql::integer(running, "max_attempts"));
    lost.facts.lostLeasesInARow = lostLeasesInARow(session, lost.facts.jobId);
    lost.facts.now = now;
    lost.leaseOwner = sql::text(running, "lease_owner");
    lost.runtime = runtimeNamed(sql::text(running, "runtime"));
    lost.plugin = sql::text(running, "plugin");
    auto decision = rules.leaseLost(lost);
    if (applyDecision(session, {lost.facts.jobId, lost.facts.attempt}, decision, now)) count(counts, decision);
  }
  return found;
}

// Counted from the history, newest first: the RETRY entries of lost leases up to the first
// retry for another reason (a handler's failure breaks the row).
int SqlStore::lostLeasesInARow(sql::Connection& session, std::int64_t jobId) {
  std::string retry = jobs::historyKindName(jobs::HistoryKind::Retry);
  auto rows = sql::query(session, "SELECT data FROM job_history WHERE job_id = ? AND kind = ? ORDER BY id DESC",
                         [&](auto& st) { st, bind(jobId), bind(retry); });
  int lost = 0;
  for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
    if (sql::json(rows, "data").value("lease_lost", false) != true) break;
    ++lost;
  }
  return lost;
}

}  // namespace hookhost::storage
