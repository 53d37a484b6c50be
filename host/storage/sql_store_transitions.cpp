// The one write of a job's state: a jobs::Transition, fenced by (job id, attempt, from).
#include <limits>

#include "common/constant_time.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// What the transition writes to the job row besides its state, as SET clauses and their
// parameters in placeholder order.
struct RowWrite {
  std::string set;
  sql::Params params;

  template <typename T>
  void add(const char* column, const T& value) {
    set += std::string(", ") + column + " = ?";
    params, bind(value);
  }
  void clear(const char* column) { set += std::string(", ") + column + " = NULL"; }
};

RowWrite rowWriteOf(const TransitionWrite& write, Micros at) {
  const jobs::Transition& transition = write.transition;
  RowWrite row;
  if (transition.endsAttempt) {
    // The attempt's own answer replaces what an earlier attempt left.
    row.add("result", transition.result);
    row.add("error", transition.error);
    row.add("output", write.output.value_or(""));
  } else {
    if (transition.result) row.add("result", *transition.result);
    if (transition.error) row.add("error", *transition.error);
  }
  if (transition.releasesLease || jobs::isTerminal(transition.next)) {
    row.clear("lease_owner");
    row.clear("lease_expires_at");
  }
  if (transition.requeueAfter) row.add("run_after", at + *transition.requeueAfter);
  if (transition.deadlineAfter) {
    row.add("token_hash", write.tokenHash);
    row.add("deadline_at", at + *transition.deadlineAfter);
  } else if (jobs::isTerminal(transition.next) || transition.next == JobState::Queued) {
    row.clear("token_hash");
    row.clear("deadline_at");
  }
  if (jobs::isTerminal(transition.next)) row.add("finished_at", at);
  return row;
}

std::int64_t queuedChange(const jobs::Transition& transition) {
  const bool was = transition.from == JobState::Queued, is = transition.next == JobState::Queued;
  return static_cast<std::int64_t>(is) - static_cast<std::int64_t>(was);
}

}  // namespace

CompletionOutcome SqlStore::applyTransition(JobKey key, const TransitionWrite& write) {
  return writer_.run(
      [&](sql::Connection& session) { return applyIn(session, key, write, sql::databaseNow(session)); });
}

void SqlStore::applyTransitionLater(JobKey key, TransitionWrite write,
                                    std::function<void(std::optional<CompletionOutcome>)> recorded) {
  writer_.postForResult(
      [this, key, write = std::move(write)](sql::Connection& session) {
        return applyIn(session, key, write, sql::databaseNow(session));
      },
      [recorded = std::move(recorded)](std::optional<CompletionOutcome> outcome, std::exception_ptr) {
        recorded(outcome);
      });
}

CompletionOutcome SqlStore::applyIn(sql::Connection& session, JobKey key, const TransitionWrite& write, Micros at) {
  const jobs::Transition& transition = write.transition;
  const std::string next = jobStateName(transition.next), from = jobStateName(transition.from);
  RowWrite row = rowWriteOf(write, at);
  auto changed = sql::execute(session, "UPDATE jobs SET state = ?" + row.set + " WHERE id = ? AND attempt = ? AND state = ?",
                              [&](sql::Params& st) {
                                st, bind(next);
                                for (auto& param : row.params.values) st, param;
                                st, bind(key.id), bind(key.attempt), bind(from);
                              });
  if (changed == 0) {
    // A late answer from an attempt whose lease was lost: recorded for the operator, never applied.
    appendHistory(session, key.id, jobs::HistoryKind::Update,
                  {{"rejected", "stale completion"}, {"attempt", key.attempt}, {"outcome", next}}, at);
    return CompletionOutcome::Stale;
  }
  nlohmann::json data = transition.historyData;
  if (transition.keepsEmittedEvents) {
    nlohmann::json emitted = recordEmitted(session, key.id, write.emitted);
    if (!emitted.empty()) data["emitted"] = emitted;
  }
  if (transition.showsNextAttempt && transition.requeueAfter) {
    data["next_attempt_at"] = formatRfc3339(at + *transition.requeueAfter);
  }
  if (transition.deadlineAfter) data["deadline_at"] = formatRfc3339(at + *transition.deadlineAfter);
  appendHistory(session, key.id, transition.history, data, at);
  queued_.add(queuedChange(transition));
  if (transition.notify != jobs::Notify::Nobody) queueNotification(session, key.id, transition.notify, at);
  return CompletionOutcome::Applied;
}

nlohmann::json SqlStore::recordEmitted(sql::Connection& session, std::int64_t jobId,
                                       const std::vector<NewEvent>& emitted) {
  nlohmann::json recorded = nlohmann::json::array();
  for (NewEvent event : emitted) {
    event.parentJobId = jobId;
    auto fired = fireIn(session, event, std::numeric_limits<std::int64_t>::max());
    if (fired) recorded.push_back({{"hook", event.hook}, {"event_id", fired->eventId}, {"duplicate", fired->duplicate}});
  }
  return recorded;
}

Status SqlStore::applyDecision(sql::Connection& session, JobKey key, const jobs::Decision& decision, Micros at) {
  if (auto* refused = std::get_if<jobs::Refusal>(&decision)) return refused->error;
  TransitionWrite write;
  write.transition = std::get<jobs::Transition>(decision);
  applyIn(session, key, write, at);
  return Ok{};
}

Status SqlStore::transitionJob(std::int64_t jobId, const std::optional<std::string>& tokenHash,
                               const Decide& decide) {
  return writer_.run([&](sql::Connection& session) -> Status {
    auto rows = sql::query(session,
                           std::string("SELECT state, attempt, max_attempts, token_hash, deadline_at FROM jobs "
                                       "WHERE id = ?") + sql::lockForUpdate(session.dialect()),
                           [&](auto& st) { st, bind(jobId); });
    if (!rows.moveFirst()) {
      return makeError(ErrorKind::NotFound, "job_not_found", "no job with id " + std::to_string(jobId));
    }
    if (tokenHash) {
      auto stored = sql::optionalText(rows, "token_hash");
      if (!stored || !constantTimeEquals(*stored, *tokenHash)) {
        return makeError(ErrorKind::Forbidden, "invalid_token", "the callback token is not valid for this job");
      }
    }
    jobs::JobFacts facts;
    facts.jobId = jobId;
    facts.state = parseJobState(sql::text(rows, "state")).value_or(JobState::Failed);
    facts.attempt = static_cast<int>(sql::integer(rows, "attempt"));
    facts.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
    facts.deadlineAt = sql::optionalInteger(rows, "deadline_at");
    facts.now = sql::databaseNow(session);
    return applyDecision(session, {jobId, facts.attempt}, decide(facts), facts.now);
  });
}

CompletionOutcome SqlStore::appendUpdate(std::int64_t jobId, int attempt, const nlohmann::json& data) {
  return writer_.run([&](sql::Connection& session) {
    std::string running = jobStateName(JobState::Running);
    auto rows = sql::query(session, "SELECT 1 FROM jobs WHERE id = ? AND attempt = ? AND state = ?",
                           [&](auto& st) { st, bind(jobId), bind(attempt), bind(running); });
    if (rows.rowCount() == 0) return CompletionOutcome::Stale;
    appendHistory(session, jobId, jobs::HistoryKind::Update, {{"attempt", attempt}, {"progress", data}},
                  sql::databaseNow(session));
    return CompletionOutcome::Applied;
  });
}

}  // namespace hookhost::storage
