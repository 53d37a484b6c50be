#include "jobs/job_lifecycle.hpp"

#include <utility>

#include "jobs/rerun_rule.hpp"

namespace hookhost::jobs {

JobLifecycle::JobLifecycle(storage::JobStore& jobs, storage::HandlerStore& handlers, JobWatch& watch,
                           LifecycleOptions options)
    : jobs_(jobs), handlers_(handlers), watch_(watch), options_(std::move(options)) {}

storage::TransitionWrite JobLifecycle::writeFor(const AttemptKey& key, AttemptEnd end) const {
  JobFacts running;
  running.jobId = key.jobId;
  running.state = JobState::Running;
  running.attempt = key.attempt;
  running.maxAttempts = key.maxAttempts;
  TriggerInput input;
  input.trigger = end.trigger;
  input.result = std::move(end.result);
  input.error = std::move(end.error);
  input.retryAfter = end.retryAfter;
  input.deadlineAfter = end.deadlineAfter;
  storage::TransitionWrite write;
  // A running job takes each attempt's end: the table allows all four from RUNNING, and
  // the store's fence tells a stale attempt.
  write.transition = std::get<Transition>(decide(running, input));
  write.output = std::move(end.output);
  write.tokenHash = std::move(end.tokenHash);
  if (write.transition.keepsEmittedEvents) write.emitted = std::move(end.emitted);
  return write;
}

void JobLifecycle::attemptEndedLater(const AttemptKey& key, AttemptEnd end,
                                     std::function<void(std::optional<AttemptRecorded>)> recorded) {
  storage::TransitionWrite write = writeFor(key, std::move(end));
  const JobState next = write.transition.next;
  jobs_.applyTransitionLater(
      {key.jobId, key.attempt}, std::move(write),
      [this, next, recorded = std::move(recorded)](std::optional<storage::CompletionOutcome> outcome) {
        if (!outcome) return recorded(std::nullopt);
        recorded(AttemptRecorded{*outcome, next});
        watch_.changed();
      });
}

storage::CompletionOutcome JobLifecycle::attemptEnded(const AttemptKey& key, AttemptEnd end) {
  auto outcome = jobs_.applyTransition({key.jobId, key.attempt}, writeFor(key, std::move(end)));
  watch_.changed();
  return outcome;
}

Status JobLifecycle::cancel(std::int64_t jobId) {
  TriggerInput input;
  input.trigger = Trigger::Cancelled;
  input.reason = "cancelled by request";
  auto applied = jobs_.transitionJob(jobId, std::nullopt, [&](const JobFacts& job) { return decide(job, input); });
  if (applied) watch_.changed();
  return applied;
}

Status JobLifecycle::callback(std::int64_t jobId, const std::string& tokenHash, Trigger trigger,
                              const nlohmann::json& data) {
  TriggerInput input;
  input.trigger = trigger;
  input.data = data;
  auto applied = jobs_.transitionJob(jobId, tokenHash, [&](const JobFacts& job) { return decide(job, input); });
  if (applied) watch_.changed();
  return applied;
}

Decision JobLifecycle::onLeaseLost(const storage::LostAttempt& lost) {
  JobFacts facts = lost.facts;
  const bool inProcess = lost.runtime == Runtime::Plugin && options_.runsInProcess && options_.runsInProcess(lost.plugin);
  facts.isolation = inProcess ? Isolation::InProcess : Isolation::Isolated;
  TriggerInput input;
  input.trigger = Trigger::LeaseLost;
  input.error = "the lease of " + lost.leaseOwner + " expired (host or worker lost)";
  Decision decision = decide(facts, input);
  auto* transition = std::get_if<Transition>(&decision);
  if (inProcess && transition && transition->next == JobState::Failed) {
    std::lock_guard lock(mutex_);
    inProcessFailures_.push_back({lost.plugin, facts.jobId, transition->error.value_or("")});
  }
  return decision;
}

std::vector<InProcessFailure> JobLifecycle::inProcessFailures() const {
  std::lock_guard lock(mutex_);
  return inProcessFailures_;
}

storage::RescueCounts JobLifecycle::rescue(storage::RescueScope scope) {
  storage::RescueRules rules;
  rules.leaseLost = [this](const storage::LostAttempt& lost) { return onLeaseLost(lost); };
  rules.deadlinePassed = [](const JobFacts& job) {
    TriggerInput input;
    input.trigger = Trigger::DeadlinePassed;
    input.error = "no callback finished the deferred job before its deadline";
    return decide(job, input);
  };
  auto counts = jobs_.rescueExpired(scope, rules);
  if (counts.requeued + counts.failed + counts.timedOut > 0) watch_.changed();
  return counts;
}

Result<std::vector<storage::Rerun>> JobLifecycle::rerun(const storage::RerunSelection& selection) {
  auto reruns = jobs_.rerunJobs(selection, options_.maxQueued, [](const RerunFacts& facts) { return decideRerun(facts); });
  if (reruns && !reruns->empty()) {
    watch_.changed();
    if (options_.jobsQueued) options_.jobsQueued();
  }
  return reruns;
}

int JobLifecycle::closeDueWindows() {
  const int closed = jobs_.closeDueWindows([](const JobFacts& job, const std::string& closedBy, const nlohmann::json& window) {
    TriggerInput input;
    input.trigger = Trigger::WindowClosed;
    input.reason = closedBy;
    input.data = window;
    return decide(job, input);
  });
  if (closed > 0) watch_.changed();
  return closed;
}

Status JobLifecycle::deregisterHandler(std::int64_t handlerId, const storage::User& actor) {
  TriggerInput input;
  input.trigger = Trigger::HandlerDeregistered;
  input.reason = "handler deregistered by " + actor.name;
  auto deleted = handlers_.deleteHandler(handlerId, actor, [&](const JobFacts& job) { return decide(job, input); });
  if (deleted) watch_.changed();
  return deleted;
}

}  // namespace hookhost::jobs
