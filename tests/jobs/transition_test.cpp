// The job state machine, every state × trigger, without a database.
#include "jobs/transition.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>

namespace hookhost::jobs {
namespace {

using S = JobState;
using T = Trigger;

JobFacts jobIn(JobState state, int attempt = 1, int maxAttempts = 3) {
  JobFacts job;
  job.jobId = 7;
  job.state = state;
  job.attempt = attempt;
  job.maxAttempts = maxAttempts;
  job.now = 1'000;
  if (state == S::Waiting) job.deadlineAt = 2'000;
  return job;
}

TriggerInput input(Trigger trigger) {
  TriggerInput in;
  in.trigger = trigger;
  in.error = "it broke";
  in.reason = "cancelled by request";
  in.host = "host-a";
  in.retryAfter = 500;
  in.deadlineAfter = 900;
  return in;
}

// The transition the table answers with; a refusal throws std::bad_variant_access, which
// fails the test.
Transition allowed(const Decision& decision) { return std::get<Transition>(decision); }
Refusal refused(const Decision& decision) { return std::get<Refusal>(decision); }

// The whole table: where each (state, trigger) goes, with attempts left and a live token.
// A pair missing here must be refused.
const std::map<std::pair<S, T>, S>& expectedMoves() {
  static const std::map<std::pair<S, T>, S> moves = {
      {{S::Pending, T::WindowClosed}, S::Queued},
      {{S::Pending, T::Cancelled}, S::Cancelled},
      {{S::Pending, T::HandlerDeregistered}, S::Cancelled},
      {{S::Queued, T::Claimed}, S::Running},
      {{S::Queued, T::Cancelled}, S::Cancelled},
      {{S::Queued, T::HandlerDeregistered}, S::Cancelled},
      {{S::Running, T::Completed}, S::Succeeded},
      {{S::Running, T::Failed}, S::Queued},
      {{S::Running, T::TimedOut}, S::TimedOut},
      {{S::Running, T::Deferred}, S::Waiting},
      {{S::Running, T::LeaseLost}, S::Queued},
      {{S::Waiting, T::CallbackUpdate}, S::Waiting},
      {{S::Waiting, T::CallbackFinish}, S::Succeeded},
      {{S::Waiting, T::CallbackFail}, S::Failed},
      {{S::Waiting, T::DeadlinePassed}, S::TimedOut},
  };
  return moves;
}

std::string refusalCodeFor(Trigger trigger) {
  if (trigger == T::Cancelled) return "job_not_queued";
  if (trigger == T::CallbackUpdate || trigger == T::CallbackFinish || trigger == T::CallbackFail) {
    return "job_not_waiting";
  }
  return "transition_refused";
}

TEST(Transition, EveryStateAndTriggerIsAllowedOrRefusedAsTheTableSays) {
  int allowedPairs = 0;
  for (JobState state : kAllJobStates) {
    for (Trigger trigger : kAllTriggers) {
      SCOPED_TRACE(std::string(jobStateName(state)) + " × " + triggerName(trigger));
      auto decision = decide(jobIn(state), input(trigger));
      auto expected = expectedMoves().find({state, trigger});
      if (expected == expectedMoves().end()) {
        ASSERT_TRUE(std::holds_alternative<Refusal>(decision));
        const Error& error = refused(decision).error;
        EXPECT_EQ(error.kind, ErrorKind::Conflict);
        EXPECT_EQ(error.code, refusalCodeFor(trigger));
        EXPECT_NE(error.message.find("job 7"), std::string::npos) << error.message;
        continue;
      }
      ++allowedPairs;
      ASSERT_TRUE(std::holds_alternative<Transition>(decision));
      auto transition = allowed(decision);

      EXPECT_EQ(transition.from, state);
      EXPECT_EQ(transition.next, expected->second);
      // Only an attempt's own answer replaces its result, error and output; whatever leaves
      // RUNNING gives the lease back.
      EXPECT_EQ(transition.endsAttempt,
                state == S::Running && trigger != T::LeaseLost);
      EXPECT_EQ(transition.releasesLease, state == S::Running);
      EXPECT_EQ(transition.startsAttempt, trigger == T::Claimed);
      EXPECT_EQ(transition.requeueAfter.has_value(), transition.next == S::Queued);
      EXPECT_EQ(transition.deadlineAfter.has_value(), transition.next == S::Waiting && state == S::Running);
      // Ends are mailed, except cancellations; nothing else is.
      const bool mailed = isTerminal(transition.next) && transition.next != S::Cancelled;
      EXPECT_EQ(transition.notify != Notify::Nobody, mailed);
      if (mailed) {
        EXPECT_EQ(transition.notify,
                  transition.next == S::Succeeded ? Notify::SuccessAddress : Notify::FailureAddress);
      }
      EXPECT_EQ(transition.keepsEmittedEvents, trigger == T::Completed || trigger == T::Deferred);
    }
  }
  EXPECT_EQ(allowedPairs, static_cast<int>(expectedMoves().size()));
}

TEST(Transition, TheHistoryEntryOfEachMove) {
  const std::map<std::pair<S, T>, HistoryKind> kinds = {
      {{S::Pending, T::WindowClosed}, HistoryKind::Update},  {{S::Queued, T::Claimed}, HistoryKind::Run},
      {{S::Queued, T::Cancelled}, HistoryKind::Cancel},      {{S::Queued, T::HandlerDeregistered}, HistoryKind::Cancel},
      {{S::Running, T::Completed}, HistoryKind::Finish},     {{S::Running, T::Failed}, HistoryKind::Retry},
      {{S::Running, T::TimedOut}, HistoryKind::Timeout},     {{S::Running, T::Deferred}, HistoryKind::Defer},
      {{S::Running, T::LeaseLost}, HistoryKind::Retry},      {{S::Waiting, T::CallbackUpdate}, HistoryKind::Update},
      {{S::Waiting, T::CallbackFinish}, HistoryKind::Finish}, {{S::Waiting, T::CallbackFail}, HistoryKind::Fail},
      {{S::Waiting, T::DeadlinePassed}, HistoryKind::Timeout}};
  for (const auto& [pair, kind] : kinds) {
    auto transition = allowed(decide(jobIn(pair.first), input(pair.second)));
    
    EXPECT_EQ(transition.history, kind) << triggerName(pair.second);
  }
  auto run = allowed(decide(jobIn(S::Queued, 1), input(T::Claimed)));
  EXPECT_EQ(run.historyData, (nlohmann::json{{"attempt", 2}, {"host", "host-a"}}));
  auto cancelled = allowed(decide(jobIn(S::Queued), input(T::Cancelled)));
  EXPECT_EQ(cancelled.historyData, (nlohmann::json{{"reason", "cancelled by request"}}));
}

TEST(Transition, AFailedAttemptIsRetriedWhileAttemptsRemainThenFails) {
  auto retry = allowed(decide(jobIn(S::Running, 2, 3), input(T::Failed)));
  
  EXPECT_EQ(retry.next, S::Queued);
  EXPECT_EQ(retry.requeueAfter, 500);
  EXPECT_TRUE(retry.showsNextAttempt);
  EXPECT_EQ(retry.error, "it broke");
  EXPECT_EQ(retry.historyData, (nlohmann::json{{"attempt", 2}, {"error", "it broke"}}));

  auto failed = allowed(decide(jobIn(S::Running, 3, 3), input(T::Failed)));
  
  EXPECT_EQ(failed.next, S::Failed);
  EXPECT_EQ(failed.history, HistoryKind::Fail);
  EXPECT_EQ(failed.notify, Notify::FailureAddress);
  EXPECT_FALSE(failed.requeueAfter);

  TriggerInput silent = input(T::Failed);
  silent.error.clear();
  EXPECT_EQ(allowed(decide(jobIn(S::Running, 1, 1), silent)).error, "the handler failed without a message");
}

TEST(Transition, ASuccessCarriesItsResultAndADeferralItsDeadline) {
  TriggerInput done = input(T::Completed);
  done.result = "42";
  auto succeeded = allowed(decide(jobIn(S::Running), done));
  EXPECT_EQ(succeeded.result, "42");
  EXPECT_FALSE(succeeded.error);
  EXPECT_EQ(succeeded.historyData, (nlohmann::json{{"attempt", 1}}));
  auto waiting = allowed(decide(jobIn(S::Running), input(T::Deferred)));
  EXPECT_EQ(waiting.deadlineAfter, 900);
}

TEST(Transition, LostLeasesRequeueUpToTheAllowanceBeyondMaxAttempts) {
  JobFacts job = jobIn(S::Running, 1, 1);
  TriggerInput lost = input(T::LeaseLost);
  lost.error = "the lease of host-a expired (host or worker lost)";
  for (int attempt = 1; attempt <= 1 + kLostLeaseAllowance; ++attempt) {
    job.attempt = attempt;
    job.lostLeasesInARow = attempt - 1;
    auto transition = allowed(decide(job, lost));
    
    if (attempt < 1 + kLostLeaseAllowance) {
      EXPECT_EQ(transition.next, S::Queued) << attempt;
      EXPECT_EQ(transition.requeueAfter, 0);
      EXPECT_EQ(transition.historyData["reason"], lost.error);
      EXPECT_EQ(transition.historyData["lease_lost"], true);
      EXPECT_EQ(transition.notify, Notify::Nobody);
      EXPECT_FALSE(transition.endsAttempt) << "a lost attempt leaves result and output as they were";
      continue;
    }
    EXPECT_EQ(transition.next, S::Failed);
    EXPECT_EQ(transition.error, lost.error);
    EXPECT_EQ(transition.notify, Notify::FailureAddress);
  }
}

TEST(Transition, AnInProcessJobLostWithItsHostTwiceInARowFailsWithTheReason) {
  JobFacts job = jobIn(S::Running, 1, 2);
  job.isolation = Isolation::InProcess;
  TriggerInput lost = input(T::LeaseLost);
  lost.error = "the lease of host-a expired (host or worker lost)";
  auto first = allowed(decide(job, lost));
  
  EXPECT_EQ(first.next, S::Queued) << "one loss may be the host's own";

  job.attempt = 2;
  job.lostLeasesInARow = 1;
  auto second = allowed(decide(job, lost));
  
  EXPECT_EQ(second.next, S::Failed);
  EXPECT_EQ(second.notify, Notify::FailureAddress);
  ASSERT_TRUE(second.error);
  EXPECT_EQ(second.error->rfind(lost.error, 0), 0u) << *second.error;
  EXPECT_NE(second.error->find("not run in-process again"), std::string::npos) << *second.error;
  EXPECT_EQ(second.historyData["error"], *second.error);
  EXPECT_EQ(second.historyData["lost_leases_in_a_row"], 2);

  // Isolated, the same job still has its allowance: the host survived the worker.
  job.isolation = Isolation::Isolated;
  EXPECT_EQ(allowed(decide(job, lost)).next, S::Queued);
  // A loss after a handler failure is the first in a row again.
  job.isolation = Isolation::InProcess;
  job.lostLeasesInARow = 0;
  EXPECT_EQ(allowed(decide(job, lost)).next, S::Queued);
}

TEST(Transition, CallbacksTakeTheirResultOrErrorFromTheData) {
  TriggerInput finish = input(T::CallbackFinish);
  finish.data = {{"result", "archived"}};
  EXPECT_EQ(allowed(decide(jobIn(S::Waiting), finish)).result, "archived");
  finish.data = {{"rows", 3}};
  EXPECT_EQ(allowed(decide(jobIn(S::Waiting), finish)).result, R"({"rows":3})");
  TriggerInput fail = input(T::CallbackFail);
  fail.data = {{"error", "tape lost"}};
  EXPECT_EQ(allowed(decide(jobIn(S::Waiting), fail)).error, "tape lost");
  fail.data = nlohmann::json::object();
  EXPECT_EQ(allowed(decide(jobIn(S::Waiting), fail)).error, "failed by callback: {}");
  TriggerInput update = input(T::CallbackUpdate);
  update.data = {{"progress", 50}};
  EXPECT_EQ(allowed(decide(jobIn(S::Waiting), update)).historyData,
            (nlohmann::json{{"source", "callback"}, {"data", {{"progress", 50}}}}));
}

TEST(Transition, ACallbackPastTheDeadlineIsRefusedAsExpired) {
  JobFacts job = jobIn(S::Waiting);
  job.now = 3'000;
  for (Trigger trigger : {T::CallbackUpdate, T::CallbackFinish, T::CallbackFail}) {
    auto error = refused(decide(job, input(trigger))).error;
    EXPECT_EQ(error.kind, ErrorKind::Forbidden) << triggerName(trigger);
    EXPECT_EQ(error.code, "token_expired");
  }
  EXPECT_EQ(allowed(decide(job, input(T::DeadlinePassed))).next, S::TimedOut);
}

}  // namespace
}  // namespace hookhost::jobs
