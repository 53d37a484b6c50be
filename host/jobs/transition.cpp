// The job state machine as one table of (from, trigger) → rule rows, in the manner of
// Temporal's test-service StateMachines: a pair without a row is refused.
#include "jobs/transition.hpp"

#include <string>

namespace hookhost::jobs {
namespace {

using Rule = Decision (*)(const JobFacts&, const TriggerInput&);

struct Row {
  JobState from;
  Trigger trigger;
  Rule rule;
};

Transition moving(const JobFacts& job, JobState next, HistoryKind history, nlohmann::json data) {
  Transition transition;
  transition.from = job.state;
  transition.next = next;
  transition.history = history;
  transition.historyData = std::move(data);
  return transition;
}

// The end of the running attempt, by its own answer.
Transition endingAttempt(const JobFacts& job, JobState next, HistoryKind history, const std::string& error) {
  nlohmann::json data = {{"attempt", job.attempt}};
  if (!error.empty()) data["error"] = error;
  Transition transition = moving(job, next, history, std::move(data));
  transition.endsAttempt = true;
  transition.releasesLease = true;
  if (!error.empty()) transition.error = error;
  return transition;
}

Decision claim(const JobFacts& job, const TriggerInput& input) {
  Transition transition =
      moving(job, JobState::Running, HistoryKind::Run, {{"attempt", job.attempt + 1}, {"host", input.host}});
  transition.startsAttempt = true;
  return transition;
}

Decision succeed(const JobFacts& job, const TriggerInput& input) {
  Transition transition = endingAttempt(job, JobState::Succeeded, HistoryKind::Finish, "");
  transition.result = input.result;
  transition.keepsEmittedEvents = true;
  transition.notify = Notify::SuccessAddress;
  return transition;
}

// DESIGN: "back to the queue while attempts remain". Emits of an attempt that failed are
// dropped: a retry would emit them again.
Decision failOrRetry(const JobFacts& job, const TriggerInput& input) {
  const std::string error = input.error.empty() ? "the handler failed without a message" : input.error;
  if (job.attempt < job.maxAttempts) {
    Transition transition = endingAttempt(job, JobState::Queued, HistoryKind::Retry, error);
    transition.requeueAfter = input.retryAfter;
    transition.showsNextAttempt = true;
    return transition;
  }
  Transition transition = endingAttempt(job, JobState::Failed, HistoryKind::Fail, error);
  transition.notify = Notify::FailureAddress;
  return transition;
}

Decision timeOut(const JobFacts& job, const TriggerInput& input) {
  Transition transition = endingAttempt(job, JobState::TimedOut, HistoryKind::Timeout, input.error);
  transition.notify = Notify::FailureAddress;
  return transition;
}

Decision defer(const JobFacts& job, const TriggerInput& input) {
  Transition transition = endingAttempt(job, JobState::Waiting, HistoryKind::Defer, "");
  transition.deadlineAfter = input.deadlineAfter;
  transition.keepsEmittedEvents = true;
  return transition;
}

// A lost host is not the handler's failure: the job goes back to the queue, up to
// kLostLeaseAllowance attempts beyond max_attempts. An in-process job is part of its host,
// so the second loss in a row is taken as the job taking the host down: it fails instead
// of crashing the host on every start.
Decision leaseLost(const JobFacts& job, const TriggerInput& input) {
  const int lostInARow = job.lostLeasesInARow + 1;
  std::string error = input.error;
  if (job.isolation == Isolation::InProcess && lostInARow >= kInProcessLostLeaseLimit) {
    error += "; its in-process attempts were lost with their host " + std::to_string(lostInARow) +
             " times in a row, so it is not run in-process again";
  } else if (job.attempt < job.maxAttempts + kLostLeaseAllowance) {
    Transition transition = moving(job, JobState::Queued, HistoryKind::Retry,
                                   {{"attempt", job.attempt}, {"reason", input.error}, {"lease_lost", true}});
    transition.releasesLease = true;
    transition.requeueAfter = 0;
    return transition;
  }
  Transition transition =
      moving(job, JobState::Failed, HistoryKind::Fail,
             {{"attempt", job.attempt}, {"error", error}, {"lease_lost", true}, {"lost_leases_in_a_row", lostInARow}});
  transition.releasesLease = true;
  transition.error = error;
  transition.notify = Notify::FailureAddress;
  return transition;
}

std::optional<Refusal> expiredToken(const JobFacts& job) {
  if (job.deadlineAt && *job.deadlineAt < job.now) {
    return Refusal{{ErrorKind::Forbidden, "token_expired", "the callback token has expired"}};
  }
  return std::nullopt;
}

nlohmann::json callbackEntry(const TriggerInput& input) { return {{"source", "callback"}, {"data", input.data}}; }

Decision callbackUpdate(const JobFacts& job, const TriggerInput& input) {
  if (auto refused = expiredToken(job)) return *refused;
  return moving(job, JobState::Waiting, HistoryKind::Update, callbackEntry(input));
}

Decision callbackFinish(const JobFacts& job, const TriggerInput& input) {
  if (auto refused = expiredToken(job)) return *refused;
  const auto& data = input.data;
  Transition transition = moving(job, JobState::Succeeded, HistoryKind::Finish, callbackEntry(input));
  transition.result = data.is_object() && data.contains("result") && data["result"].is_string()
                          ? data["result"].get<std::string>()
                          : data.dump();
  transition.notify = Notify::SuccessAddress;
  return transition;
}

Decision callbackFail(const JobFacts& job, const TriggerInput& input) {
  if (auto refused = expiredToken(job)) return *refused;
  const auto& data = input.data;
  Transition transition = moving(job, JobState::Failed, HistoryKind::Fail, callbackEntry(input));
  transition.error = data.is_object() && data.contains("error") && data["error"].is_string()
                         ? data["error"].get<std::string>()
                         : "failed by callback: " + data.dump();
  transition.notify = Notify::FailureAddress;
  return transition;
}

Decision deadlinePassed(const JobFacts& job, const TriggerInput& input) {
  Transition transition = moving(job, JobState::TimedOut, HistoryKind::Timeout, {{"error", input.error}});
  transition.error = input.error;
  transition.notify = Notify::FailureAddress;
  return transition;
}

// Work not yet started is cancelled, visibly; nobody is mailed for it.
Decision cancel(const JobFacts& job, const TriggerInput& input) {
  return moving(job, JobState::Cancelled, HistoryKind::Cancel, {{"reason", input.reason}});
}

// The input's reason says which rule closed it (quiet, max wait) and what it waited for.
Decision windowClosed(const JobFacts& job, const TriggerInput& input) {
  nlohmann::json data = {{"coalescing", "window closed"}};
  if (!input.reason.empty()) data["closed_by"] = input.reason;
  if (!input.data.is_null()) data["window"] = input.data;
  Transition transition = moving(job, JobState::Queued, HistoryKind::Update, std::move(data));
  transition.requeueAfter = 0;
  return transition;
}

constexpr Row kTable[] = {
    {JobState::Pending, Trigger::WindowClosed, &windowClosed},
    {JobState::Pending, Trigger::Cancelled, &cancel},
    {JobState::Pending, Trigger::HandlerDeregistered, &cancel},
    {JobState::Queued, Trigger::Claimed, &claim},
    {JobState::Queued, Trigger::Cancelled, &cancel},
    {JobState::Queued, Trigger::HandlerDeregistered, &cancel},
    {JobState::Running, Trigger::Completed, &succeed},
    {JobState::Running, Trigger::Failed, &failOrRetry},
    {JobState::Running, Trigger::TimedOut, &timeOut},
    {JobState::Running, Trigger::Deferred, &defer},
    {JobState::Running, Trigger::LeaseLost, &leaseLost},
    {JobState::Waiting, Trigger::CallbackUpdate, &callbackUpdate},
    {JobState::Waiting, Trigger::CallbackFinish, &callbackFinish},
    {JobState::Waiting, Trigger::CallbackFail, &callbackFail},
    {JobState::Waiting, Trigger::DeadlinePassed, &deadlinePassed},
};

Refusal refusal(const JobFacts& job, Trigger trigger) {
  const std::string id = std::to_string(job.jobId);
  switch (trigger) {
    case Trigger::Cancelled:
      return {{ErrorKind::Conflict, "job_not_queued",
               "job " + id + " is " + jobStateName(job.state) + "; only a QUEUED or PENDING job can be cancelled"}};
    case Trigger::CallbackUpdate:
    case Trigger::CallbackFinish:
    case Trigger::CallbackFail: return {{ErrorKind::Conflict, "job_not_waiting", "job " + id + " is not waiting"}};
    default: break;
  }
  return {{ErrorKind::Conflict, "transition_refused",
           "job " + id + " is " + jobStateName(job.state) + ": " + triggerName(trigger) + " does not apply"}};
}

}  // namespace

const char* triggerName(Trigger trigger) {
  switch (trigger) {
    case Trigger::Claimed: return "claimed";
    case Trigger::Completed: return "completed";
    case Trigger::Failed: return "failed";
    case Trigger::TimedOut: return "timed out";
    case Trigger::Deferred: return "deferred";
    case Trigger::CallbackUpdate: return "callback update";
    case Trigger::CallbackFinish: return "callback finish";
    case Trigger::CallbackFail: return "callback fail";
    case Trigger::Cancelled: return "cancelled";
    case Trigger::HandlerDeregistered: return "handler deregistered";
    case Trigger::LeaseLost: return "lease lost";
    case Trigger::DeadlinePassed: return "deadline passed";
    case Trigger::WindowClosed: return "window closed";
  }
  return "unknown";
}

Decision decide(const JobFacts& job, const TriggerInput& input) {
  for (const Row& row : kTable) {
    if (row.from == job.state && row.trigger == input.trigger) return row.rule(job, input);
  }
  return refusal(job, input.trigger);
}

}  // namespace hookhost::jobs
