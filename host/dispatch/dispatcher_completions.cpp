// The Dispatcher's half that records how attempts ended: the executor's outcome as the
// trigger it is, handed to the job lifecycle without waiting for its commit.
#include <memory>
#include <utility>

#include "dispatch/dispatch_support.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/job_run_context.hpp"

namespace hookhost::dispatch {

void Dispatcher::recordCompletion(Unrecorded pending) {
  // The worker goes on to its next job while the completion waits for its commit, which it
  // shares with the other workers' completions and the next claim. Until the commit, the
  // job stays in running_, so its lease is renewed and a drain waits for it.
  const bool emitted = !pending.end.emitted.empty();
  {
    std::lock_guard lock(mutex_);
    if (auto running = running_.find(pending.key.jobId); running != running_.end()) running->second.finished = true;
  }
  auto copy = std::make_shared<Unrecorded>(pending);
  auto recorded = [this, copy, emitted](std::optional<jobs::AttemptRecorded> applied) {
    if (!applied) {
      // The database is out of reach: the job keeps its place (and its lease, renewed)
      // and housekeeping records it again, so a handler's success is not lost with it.
      std::lock_guard lock(mutex_);
      unrecorded_.push_back(std::move(*copy));
      return;
    }
    if (applied->outcome == storage::CompletionOutcome::Stale) metrics_.staleCompletions.add();
    if (applied->outcome == storage::CompletionOutcome::Applied && applied->next == jobs::JobState::Queued) {
      metrics_.jobsRetried.add();
    }
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      running_.erase(copy->key.jobId);
      if (emitted) ++wakeups_;
      stopping = stopping_;
    }
    if (emitted) wake_.notify_one();
    if (stopping) drained_.notify_all();
  };
  try {
    lifecycle_.attemptEndedLater(pending.key, std::move(pending.end), recorded);
  } catch (const std::exception& error) {
    logger().error("recording the end of job " + std::to_string(copy->key.jobId) + " failed: " + error.what());
    recorded(std::nullopt);
  }
}

void Dispatcher::recordAgain() {
  std::vector<Unrecorded> again;
  {
    std::lock_guard lock(mutex_);
    again.swap(unrecorded_);
  }
  // Once per change of the count, not every tick: a full disk or a database that is down
  // would otherwise write a line a second until it is back.
  if (again.size() != unrecordedLogged_ && !again.empty()) {
    logger().warning("recording the end of %z jobs again", again.size());
  }
  unrecordedLogged_ = again.size();
  for (auto& pending : again) recordCompletion(std::move(pending));
}

jobs::AttemptEnd Dispatcher::attemptEndOf(const storage::ClaimedJob& job, const RunOutcome& outcome,
                                          JobRunContext& context) {
  jobs::AttemptEnd end;
  // Executors either report output in the outcome or stream it to the context (or both,
  // with the same lines): keep one copy.
  end.output = outcome.output.empty() ? context.output() : outcome.output;
  end.error = outcome.error;
  switch (outcome.status) {
    case RunStatus::Succeeded:
      end.trigger = jobs::Trigger::Completed;
      end.result = outcome.result;
      end.emitted = context.takeEmitted();
      return end;
    case RunStatus::Deferred:
      if (auto token = context.deferTokenHash()) {
        end.trigger = jobs::Trigger::Deferred;
        end.tokenHash = token;
        end.deadlineAfter = micros(options_.callbackTtl);
        end.emitted = context.takeEmitted();
        return end;
      }
      end.error = "the handler returned as deferred without asking for a callback token";
      break;
    case RunStatus::TimedOut:
      end.trigger = jobs::Trigger::TimedOut;
      if (end.error.empty()) end.error = "timed out after " + std::to_string(job.handler.spec.timeoutS) + " s";
      return end;
    case RunStatus::Failed: break;
  }
  // Whether attempts remain is the table's rule; the delay is this host's retry policy.
  end.trigger = jobs::Trigger::Failed;
  end.retryAfter = micros(options_.retry.delayBeforeRetry(job.attempt));
  return end;
}

}  // namespace hookhost::dispatch
