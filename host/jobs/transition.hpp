#pragma once

#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "jobs/job_state.hpp"

namespace hookhost::jobs {

/// What can happen to a job. Each is answered by the table in decide(): a transition, or a
/// refusal saying why it does not apply to the job as it is.
enum class Trigger {
  Claimed,              // a dispatcher leased it for a new attempt
  Completed,            // the attempt returned a result
  Failed,               // the attempt failed (error, crash of an isolated worker)
  TimedOut,             // the attempt overran its timeout
  Deferred,             // the attempt asked for a callback and returned
  CallbackUpdate,       // POST /v1/jobs/{id}/callback, event update
  CallbackFinish,       // ... event finish
  CallbackFail,         // ... event fail
  Cancelled,            // POST /v1/jobs/{id}/cancel
  HandlerDeregistered,  // DELETE /v1/handlers/{id}
  LeaseLost,            // the attempt's lease ran out: its host or worker was lost
  DeadlinePassed,       // a waiting job's callback deadline passed
  WindowClosed,         // a coalescing job's window closed
};

inline constexpr Trigger kAllTriggers[] = {
    Trigger::Claimed,        Trigger::Completed,      Trigger::Failed,    Trigger::TimedOut,
    Trigger::Deferred,       Trigger::CallbackUpdate, Trigger::CallbackFinish, Trigger::CallbackFail,
    Trigger::Cancelled,      Trigger::HandlerDeregistered, Trigger::LeaseLost, Trigger::DeadlinePassed,
    Trigger::WindowClosed};

const char* triggerName(Trigger trigger);

/// Where the job's attempts run: in the host's own process (a trusted plugin) or apart.
enum class Isolation { Isolated, InProcess };

/// A lost host is not the handler's failure, so a lost lease does not use up an attempt;
/// this many attempts beyond max_attempts bound a job that takes its host down every time.
inline constexpr int kLostLeaseAllowance = 2;
/// An in-process job whose host was lost this many attempts in a row is not run again: it
/// is what takes the host down.
inline constexpr int kInProcessLostLeaseLimit = 2;

/// The job as it is, as far as the table looks.
struct JobFacts {
  std::int64_t jobId = 0;
  JobState state = JobState::Queued;
  int attempt = 0;  // the attempt running or last run; 0 before the first
  int maxAttempts = 1;
  /// How many attempts before the current one ended with their lease lost, counted back
  /// from the most recent without a gap (LeaseLost only).
  int lostLeasesInARow = 0;
  Isolation isolation = Isolation::Isolated;
  std::optional<Micros> deadlineAt;  // WAITING: when its callback token expires
  Micros now = 0;                    // on the store's clock (callbacks)
};

/// What happened, with what its history entry tells.
struct TriggerInput {
  Trigger trigger = Trigger::Failed;
  std::string result;      // Completed
  std::string error;       // Failed, TimedOut, LeaseLost, DeadlinePassed: why
  std::string reason;      // Cancelled, HandlerDeregistered: by whom or why
  std::string host;        // Claimed: the lease owner
  nlohmann::json data;     // callbacks: the body's data
  Micros retryAfter = 0;   // Failed: how long after now a retry may start
  Micros deadlineAfter = 0;  // Deferred: how long the callback token is good for
};

/// Whom the job's end is mailed to.
enum class Notify { Nobody, SuccessAddress, FailureAddress };

/// A job going to a next state (or staying, for an update), with every effect the store
/// persists in the same transaction, fenced by (job id, attempt, from).
struct Transition {
  JobState from = JobState::Queued;
  JobState next = JobState::Queued;
  HistoryKind history = HistoryKind::Update;
  nlohmann::json historyData = nlohmann::json::object();
  bool startsAttempt = false;  // attempt + 1, leased to the claimer
  /// Leaves RUNNING from the attempt itself: result, error and output are replaced by this
  /// attempt's (null when it has none), and the lease is released.
  bool endsAttempt = false;
  bool releasesLease = false;  // the lease is cleared (lost or ended)
  std::optional<std::string> result;
  std::optional<std::string> error;
  std::optional<Micros> requeueAfter;    // next QUEUED: may run this long after now
  bool showsNextAttempt = false;         // the history entry gives next_attempt_at
  std::optional<Micros> deadlineAfter;   // next WAITING: the callback deadline, after now
  bool keepsEmittedEvents = false;       // the attempt's emitted events are recorded
  Notify notify = Notify::Nobody;
};

/// A trigger that does not apply, as the error the caller answers with.
struct Refusal {
  Error error;
};

using Decision = std::variant<Transition, Refusal>;

/// The job state machine of DESIGN, as one table: pure, no store, no clock.
Decision decide(const JobFacts& job, const TriggerInput& input);

}  // namespace hookhost::jobs
