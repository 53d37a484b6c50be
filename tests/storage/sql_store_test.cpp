// The store's state machine against a real SQLite file and a real PostgreSQL database (issues 3, 7).
#include <atomic>
#include <set>
#include <thread>

#include "store_fixture.hpp"
#include "notify/notification.hpp"
#include "storage/tag_matching.hpp"

namespace hookhost::testing {
namespace {

// The error of a result that must have failed. A success fails the test here instead of
// reading an error() that is not there (undefined on a successful Result).
template <typename R>
Error errorOf(const R& result) {
  if (result) {
    ADD_FAILURE() << "expected a failure, got a success";
    return Error{ErrorKind::Internal, "(it succeeded)", ""};
  }
  return result.error();
}

using storage::CompletionOutcome;
using storage::JobState;

Micros later(int seconds) { return nowMicros() + seconds * 1'000'000LL; }
Micros seconds(int count) { return count * 1'000'000LL; }

TEST(TagMatching, FollowsTheSeedRule) {
  using storage::tagsMatch;
  EXPECT_TRUE(tagsMatch({}, {"demo"}));              // an event without tags runs every handler
  EXPECT_TRUE(tagsMatch({"x"}, {}));                 // an empty handler list matches all tags
  EXPECT_TRUE(tagsMatch({"x", "demo"}, {"demo", "y"}));  // logical OR
  EXPECT_FALSE(tagsMatch({"x"}, {"demo", "y"}));
}

using SqlStoreTest = StoreTest;
INSTANTIATE_TEST_SUITE_P(Backends, SqlStoreTest, storeBackends(), backendName);

TEST_P(SqlStoreTest, FiresOneJobPerMatchingHandlerInOneEvent) {
  auto demo = addHandler("demo", {"demo"});
  auto red = addHandler("red", {"red", "blue"});
  auto all = addHandler("all", {});
  auto names = [&](const storage::FireResult& fired) {
    std::set<std::string> out;
    for (const auto& job : fired.jobs) out.insert(job.handler);
    return out;
  };
  EXPECT_EQ(names(fire()), (std::set<std::string>{"demo", "red", "all"}));
  EXPECT_EQ(names(fire({"blue"})), (std::set<std::string>{"red", "all"}));
  EXPECT_EQ(names(fire({"green"})), (std::set<std::string>{"all"}));
  auto fired = fire({"demo"});
  for (const auto& job : fired.jobs) {
    auto stored = store_->getJob(job.jobId);
    EXPECT_EQ(stored->state, JobState::Queued);
    EXPECT_EQ(stored->eventId, fired.eventId);
    EXPECT_EQ(historyKinds(job.jobId), (std::vector<std::string>{"CREATE"}));
  }
  EXPECT_EQ(store_->countQueued(), 3 + 2 + 1 + 2);
}

TEST_P(SqlStoreTest, AnEventWithoutHandlersIsStillRecorded) {
  auto fired = fire({}, std::nullopt, "staging.new_xrefs");
  EXPECT_TRUE(fired.jobs.empty());
  ASSERT_TRUE(store_->getEvent(fired.eventId));
  EXPECT_EQ(store_->getEvent(fired.eventId)->hook, "staging.new_xrefs");
}

TEST_P(SqlStoreTest, AKeyFiredFiftyTimesConcurrentlyCreatesOneEvent) {
  addHandler("h");
  std::vector<storage::FireResult> results(50);
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) threads.emplace_back([&, i] { results[static_cast<std::size_t>(i)] = fire({}, "genebuild-42"); });
  for (auto& thread : threads) thread.join();
  int fresh = 0;
  for (const auto& result : results) {
    EXPECT_EQ(result.eventId, results[0].eventId);
    ASSERT_EQ(result.jobs.size(), 1u);
    EXPECT_EQ(result.jobs[0].jobId, results[0].jobs[0].jobId);
    fresh += result.duplicate ? 0 : 1;
  }
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(store_->countQueued(), 1);
  // The key is per hook.
  EXPECT_NE(fire({}, "genebuild-42", "staging.new_xrefs").eventId, results[0].eventId);
}

TEST_P(SqlStoreTest, AFullQueueRefusesAndRecordsNothing) {
  addHandler("a");
  addHandler("b");
  storage::NewEvent event;
  event.hook = "staging.new_assembly";
  event.createdBy = "ingest";
  ASSERT_TRUE(store_->fire(event, 3));
  auto refused = store_->fire(event, 3);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::QueueFull);
  EXPECT_EQ(store_->countQueued(), 2);
  EXPECT_FALSE(store_->getEvent(2));
}

TEST_P(SqlStoreTest, ClaimRunsTheVersionTheJobWasCreatedFor) {
  auto handler = addHandler("h");
  auto fired = fire();
  addHandler("h");  // replaced after the fire: version 2
  auto claimed = store_->claimJobs("host-a", 10, seconds(30));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].handler.version, 1);
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(claimed[0].ownerName, "alice");
  EXPECT_EQ(claimed[0].handler.spec.code, "AAAA");
  EXPECT_EQ(claimed[0].payload["genome"], "homo_sapiens");
  EXPECT_EQ(stateOf(fired.jobs[0].jobId), JobState::Running);
  EXPECT_TRUE(store_->claimJobs("host-b", 10, seconds(30)).empty());
}

TEST_P(SqlStoreTest, AFireLeasesWhatItsClaimAsksForInItsOwnTransaction) {
  auto limited = addHandler("limited", {}, 1, 1);
  addHandler("other");
  storage::NewEvent event;
  event.hook = "staging.new_assembly";
  event.payload = {{"genome", "homo_sapiens"}, {"database", "core"}};
  event.key = "k1";
  event.createdBy = "ingest";
  storage::ClaimRequest claim{"host-a", 8, seconds(30), {}};
  auto first = store_->fire(event, 1'000'000, claim);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->jobs.size(), 2u);
  ASSERT_EQ(first->claimed.size(), 2u);
  for (const auto& job : first->claimed) {
    EXPECT_EQ(job.attempt, 1);
    EXPECT_EQ(job.payload["genome"], "homo_sapiens");
    EXPECT_EQ(stateOf(job.jobId), JobState::Running);
    EXPECT_EQ(historyKinds(job.jobId), (std::vector<std::string>{"CREATE", "RUN"}));
  }
  EXPECT_EQ(store_->countQueued(), 0);
  // The claim honours max_concurrency like any other: the limited handler's second job waits.
  event.key = "k2";
  auto second = store_->fire(event, 1'000'000, claim);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->claimed.size(), 1u);
  EXPECT_NE(second->claimed[0].handler.id, limited.id);
  EXPECT_EQ(store_->countQueued(), 1);
  // A repeated key records nothing and claims nothing.
  auto again = store_->fire(event, 1'000'000, claim);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_TRUE(again->claimed.empty());
  // Nor does a refused fire: the queue limit counts the queued job.
  event.key = "k3";
  EXPECT_FALSE(store_->fire(event, 1, claim));
  EXPECT_EQ(store_->countQueued(), 1);
}

TEST_P(SqlStoreTest, ACompletionFromAStaleAttemptIsRecordedButNotApplied) {
  addHandler("h", {}, 3);
  auto jobId = fire().jobs[0].jobId;
  store_->claimJobs("host-a", 1, -1);  // a lease that has already run out
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::ExpiredLeases).requeued, 1);
  auto second = store_->claimJobs("host-b", 1, seconds(30));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);

  jobs::AttemptEnd late;
  late.trigger = jobs::Trigger::Completed;
  late.result = "from the lost attempt";
  EXPECT_EQ(lifecycle_->attemptEnded({jobId, 1}, late), CompletionOutcome::Stale);
  auto job = store_->getJob(jobId);
  EXPECT_EQ(job->state, JobState::Running);
  EXPECT_FALSE(job->result);
  EXPECT_EQ(job->history.back().data["rejected"], "stale completion");

  jobs::AttemptEnd current;
  current.trigger = jobs::Trigger::Completed;
  current.result = "done";
  EXPECT_EQ(lifecycle_->attemptEnded({jobId, 2}, current), CompletionOutcome::Applied);
  EXPECT_EQ(store_->getJob(jobId)->result, "done");
  EXPECT_EQ(historyKinds(jobId),
            (std::vector<std::string>{"CREATE", "RUN", "RETRY", "RUN", "UPDATE", "FINISH"}));
  // Terminal means terminal: nothing moves it again.
  EXPECT_EQ(lifecycle_->attemptEnded({jobId, 2}, late), CompletionOutcome::Stale);
  EXPECT_EQ(store_->getJob(jobId)->result, "done");
}

TEST_P(SqlStoreTest, OnlyQueuedJobsCanBeCancelled) {
  addHandler("h");
  auto first = fire().jobs[0].jobId;
  ASSERT_TRUE(lifecycle_->cancel(first));
  EXPECT_EQ(stateOf(first), JobState::Cancelled);
  EXPECT_EQ(errorOf(lifecycle_->cancel(first)).kind, ErrorKind::Conflict);
  auto second = fire().jobs[0].jobId;
  ASSERT_EQ(store_->claimJobs("h", 5, seconds(30)).size(), 1u);  // the cancelled one is not claimed
  auto refused = lifecycle_->cancel(second);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(errorOf(lifecycle_->cancel(9999)).kind, ErrorKind::NotFound);
}

TEST_P(SqlStoreTest, CancelAndClaimRacingNeverBothWin) {
  addHandler("h");
  std::vector<std::int64_t> jobs;
  for (int i = 0; i < 200; ++i) jobs.push_back(fire().jobs[0].jobId);
  std::set<std::int64_t> cancelled, claimed;
  std::thread canceller([&] {
    for (auto id : jobs) {
      if (lifecycle_->cancel(id)) cancelled.insert(id);
    }
  });
  std::thread claimer([&] {
    for (int i = 0; i < 400 && claimed.size() + 0 < jobs.size(); ++i) {
      for (const auto& job : store_->claimJobs("racer", 3, seconds(30))) claimed.insert(job.jobId);
    }
  });
  canceller.join();
  claimer.join();
  for (auto id : jobs) {
    bool wasCancelled = cancelled.count(id) > 0;
    bool wasClaimed = claimed.count(id) > 0;
    EXPECT_NE(wasCancelled, wasClaimed) << "job " << id;
    EXPECT_EQ(stateOf(id), wasCancelled ? JobState::Cancelled : JobState::Running);
  }
}

TEST_P(SqlStoreTest, MaxConcurrencyHoldsJobsBackWithoutBlockingOthers) {
  auto limited = addHandler("limited", {}, 1, 1);
  auto free = addHandler("free", {}, 1, 0, "staging.new_xrefs");
  fire();
  fire();
  fire({}, std::nullopt, "staging.new_xrefs");
  auto claimed = store_->claimJobs("h", 10, seconds(30));
  std::multiset<std::int64_t> handlers;
  for (const auto& job : claimed) handlers.insert(job.handler.id);
  EXPECT_EQ(handlers.count(limited.id), 1u);
  EXPECT_EQ(handlers.count(free.id), 1u);
  EXPECT_TRUE(store_->claimJobs("h", 10, seconds(30)).empty());
  jobs::AttemptEnd done;
  done.trigger = jobs::Trigger::Completed;
  for (const auto& job : claimed) lifecycle_->attemptEnded({job.jobId, job.attempt}, done);
  auto next = store_->claimJobs("h", 10, seconds(30));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].handler.id, limited.id);
}

TEST_P(SqlStoreTest, ExpiredLeasesAreRequeuedBeyondTheLastAttemptTwiceThenFailed) {
  addHandler("h", {}, 1);
  auto jobId = fire().jobs[0].jobId;
  // A lost host is not the handler's failure: its one attempt is run again, twice at most,
  // so a job that brings its host down every time cannot do so forever.
  for (int lost = 1; lost <= 2; ++lost) {
    store_->claimJobs("lost-host", 1, -1);
    auto counts = lifecycle_->rescue(storage::RescueScope::ExpiredLeases);
    EXPECT_EQ(counts.requeued, 1);
    EXPECT_EQ(stateOf(jobId), JobState::Queued);
  }
  store_->claimJobs("lost-host", 1, -1);
  auto counts = lifecycle_->rescue(storage::RescueScope::ExpiredLeases);
  EXPECT_EQ(counts.failed, 1);
  auto job = store_->getJob(jobId);
  EXPECT_EQ(job->state, JobState::Failed);
  EXPECT_NE(job->error->find("lease of lost-host expired"), std::string::npos);
}

TEST_P(SqlStoreTest, AtStartEveryRunningJobIsRecoveredOnlyFromAStoreOfOneHost) {
  addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  store_->claimJobs("crashed", 1, seconds(3600));
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::ExpiredLeases).requeued, 0);
  if (GetParam() == Backend::Postgres) {
    // Shared: the running job may be another host's, whose lease still runs.
    EXPECT_EQ(store_->sharing(), storage::Sharing::SharedByHosts);
    EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::AllRunning).requeued, 0);
    EXPECT_EQ(stateOf(jobId), JobState::Running);
    return;
  }
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::AllRunning).requeued, 1);
  EXPECT_EQ(stateOf(jobId), JobState::Queued);
  EXPECT_EQ(store_->claimJobs("restarted", 1, seconds(30))[0].attempt, 2);
}

TEST_P(SqlStoreTest, ADeferredJobWaitsForItsCallback) {
  addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  auto attempt = store_->claimJobs("h", 1, seconds(30))[0].attempt;
  jobs::AttemptEnd deferred;
  deferred.trigger = jobs::Trigger::Deferred;
  deferred.tokenHash = "good-hash";
  deferred.deadlineAfter = seconds(3600);
  ASSERT_EQ(lifecycle_->attemptEnded({jobId, attempt}, deferred), CompletionOutcome::Applied);
  EXPECT_EQ(stateOf(jobId), JobState::Waiting);

  auto wrong = lifecycle_->callback(jobId, "bad-hash", jobs::Trigger::CallbackFinish, {});
  EXPECT_EQ(errorOf(wrong).kind, ErrorKind::Forbidden);
  ASSERT_TRUE(lifecycle_->callback(jobId, "good-hash", jobs::Trigger::CallbackUpdate, {{"progress", 50}}));
  EXPECT_EQ(stateOf(jobId), JobState::Waiting);
  ASSERT_TRUE(lifecycle_->callback(jobId, "good-hash", jobs::Trigger::CallbackFinish, {{"result", "archived"}}));
  auto job = store_->getJob(jobId);
  EXPECT_EQ(job->state, JobState::Succeeded);
  EXPECT_EQ(job->result, "archived");
  // The token is one-time.
  EXPECT_EQ(errorOf(lifecycle_->callback(jobId, "good-hash", jobs::Trigger::CallbackFail, {})).kind,
            ErrorKind::Forbidden);
  EXPECT_EQ(historyKinds(jobId), (std::vector<std::string>{"CREATE", "RUN", "DEFER", "UPDATE", "FINISH"}));
}

TEST_P(SqlStoreTest, AWaitingJobPastItsDeadlineTimesOut) {
  addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  auto attempt = store_->claimJobs("h", 1, seconds(30))[0].attempt;
  jobs::AttemptEnd deferred;
  deferred.trigger = jobs::Trigger::Deferred;
  deferred.tokenHash = "t";
  deferred.deadlineAfter = -1;
  lifecycle_->attemptEnded({jobId, attempt}, deferred);
  EXPECT_EQ(errorOf(lifecycle_->callback(jobId, "t", jobs::Trigger::CallbackFinish, {})).code, "token_expired");
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::ExpiredLeases).timedOut, 1);
  EXPECT_EQ(stateOf(jobId), JobState::TimedOut);
}

TEST_P(SqlStoreTest, EmittedEventsAreRecordedWithTheCompletionAndDeduplicatedByKey) {
  addHandler("parent");
  addHandler("child", {}, 1, 0, "staging.new_xrefs");
  auto jobId = fire().jobs[0].jobId;
  auto attempt = store_->claimJobs("h", 1, seconds(30))[0].attempt;
  jobs::AttemptEnd done;
  done.trigger = jobs::Trigger::Completed;
  storage::NewEvent emitted;
  emitted.hook = "staging.new_xrefs";
  emitted.payload = {{"genome", "g"}, {"database", "d"}};
  emitted.key = "flatfile:g";
  emitted.depth = 1;
  emitted.createdBy = "alice";
  done.emitted = {emitted, emitted};
  ASSERT_EQ(lifecycle_->attemptEnded({jobId, attempt}, done), CompletionOutcome::Applied);
  auto finish = store_->getJob(jobId)->history.back();
  ASSERT_EQ(finish.data["emitted"].size(), 2u);
  EXPECT_EQ(finish.data["emitted"][0]["duplicate"], false);
  EXPECT_EQ(finish.data["emitted"][1]["duplicate"], true);
  auto child = store_->getEvent(finish.data["emitted"][0]["event_id"]);
  EXPECT_EQ(child->parentJobId, jobId);
  EXPECT_EQ(child->depth, 1);
  EXPECT_EQ(store_->jobsOfEvent(child->id).size(), 1u);
}

TEST_P(SqlStoreTest, RefusedTransitionsChangeNothing) {
  addHandler("h", {}, 1);
  jobs::AttemptEnd finish;
  finish.trigger = jobs::Trigger::Completed;
  auto queued = fire().jobs[0].jobId;
  // QUEUED: cannot complete (never claimed) nor take a callback.
  EXPECT_EQ(lifecycle_->attemptEnded({queued, 0}, finish), CompletionOutcome::Stale);
  EXPECT_EQ(errorOf(lifecycle_->callback(queued, "x", jobs::Trigger::CallbackFinish, {})).kind, ErrorKind::Forbidden);
  EXPECT_EQ(stateOf(queued), JobState::Queued);
  auto running = store_->claimJobs("h", 1, seconds(30))[0];
  // RUNNING: cannot be cancelled; a completion with the wrong attempt is refused.
  EXPECT_EQ(errorOf(lifecycle_->cancel(running.jobId)).kind, ErrorKind::Conflict);
  EXPECT_EQ(lifecycle_->attemptEnded({running.jobId, running.attempt + 1}, finish), CompletionOutcome::Stale);
  EXPECT_EQ(stateOf(running.jobId), JobState::Running);
  jobs::AttemptEnd defer;
  defer.trigger = jobs::Trigger::Deferred;
  defer.tokenHash = "t";
  defer.deadlineAfter = seconds(60);
  ASSERT_EQ(lifecycle_->attemptEnded({running.jobId, running.attempt}, defer), CompletionOutcome::Applied);
  // WAITING: not cancellable, not completable by a dispatcher, only by its callback.
  EXPECT_EQ(errorOf(lifecycle_->cancel(running.jobId)).kind, ErrorKind::Conflict);
  EXPECT_EQ(lifecycle_->attemptEnded({running.jobId, running.attempt}, finish), CompletionOutcome::Stale);
  EXPECT_EQ(stateOf(running.jobId), JobState::Waiting);
  ASSERT_TRUE(lifecycle_->callback(running.jobId, "t", jobs::Trigger::CallbackFail, {{"error", "rejected upstream"}}));
  // Terminal states stay terminal.
  auto job = store_->getJob(running.jobId);
  EXPECT_EQ(job->state, JobState::Failed);
  EXPECT_EQ(job->error, "rejected upstream");
  EXPECT_EQ(errorOf(lifecycle_->cancel(running.jobId)).kind, ErrorKind::Conflict);
  EXPECT_EQ(lifecycle_->attemptEnded({running.jobId, running.attempt}, finish), CompletionOutcome::Stale);
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::AllRunning).requeued, 0);
  EXPECT_EQ(stateOf(running.jobId), JobState::Failed);
}

// Each notifier claims only its channel's rows, by the stored channel (migration 9), however
// many of the other channel's are due before them.
TEST_P(SqlStoreTest, EachChannelClaimsOnlyItsOwnNotifications) {
  storage::HandlerSpec spec = handlerSpec("hooked");
  spec.notifyOnFailure = "https://example.com/hookhost";
  ASSERT_TRUE(store_->registerHandler(spec, alice_));
  jobs::AttemptEnd succeeded, failed;
  succeeded.trigger = jobs::Trigger::Completed;
  failed.trigger = jobs::Trigger::Failed;
  failed.error = "boom";
  for (const auto* end : {&succeeded, &succeeded, &failed}) {
    fire();
    auto claimed = store_->claimJobs("hooked", 1, seconds(30));
    ASSERT_EQ(claimed.size(), 1u);
    ASSERT_EQ(lifecycle_->attemptEnded({claimed[0].jobId, claimed[0].attempt}, *end), CompletionOutcome::Applied);
  }
  auto hooks = store_->claimDue(nowMicros(), 10, later(60), outbox::Channel::Webhook);
  ASSERT_EQ(hooks->size(), 1u);
  EXPECT_EQ(hooks->front().recipient, "https://example.com/hookhost");
  auto mails = store_->claimDue(nowMicros(), 10, later(60), outbox::Channel::Mail);
  ASSERT_EQ(mails->size(), 2u);
  for (const auto& mail : *mails) EXPECT_EQ(mail.recipient, "ok@example.com");
}

TEST_P(SqlStoreTest, ATerminalJobQueuesItsNotificationInTheSameTransaction) {
  addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  auto attempt = store_->claimJobs("h", 1, seconds(30))[0].attempt;
  EXPECT_TRUE(store_->claimDue(nowMicros(), 10, later(60))->empty());
  jobs::AttemptEnd failed;
  failed.trigger = jobs::Trigger::Failed;
  failed.error = "Traceback: boom";
  ASSERT_EQ(lifecycle_->attemptEnded({jobId, attempt}, failed), CompletionOutcome::Applied);
  auto due = store_->claimDue(nowMicros(), 10, later(60));
  ASSERT_EQ(due->size(), 1u);
  const auto& mail = due->front();
  EXPECT_EQ(mail.recipient, "fail@example.com");
  EXPECT_EQ(mail.outcome, notify::Outcome::Failed);
  EXPECT_EQ(mail.error, "Traceback: boom");
  EXPECT_EQ(mail.sendAttempts, 1);
  // Leased: a second claimer does not get it; a stale mark is refused; the real one lands.
  EXPECT_TRUE(store_->claimDue(nowMicros(), 10, later(60))->empty());
  EXPECT_EQ(errorOf(store_->markSent(mail.id, 2, nowMicros())).code, "stale_claim");
  ASSERT_TRUE(store_->markSent(mail.id, 1, nowMicros()));
  EXPECT_EQ(historyKinds(jobId).back(), "NOTIFY");
}

TEST_P(SqlStoreTest, AtStartANotificationLeasedByTheCrashedRunIsDueAgainOnlyFromAStoreOfOneHost) {
  addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  auto attempt = store_->claimJobs("h", 1, seconds(30))[0].attempt;
  jobs::AttemptEnd done;
  done.trigger = jobs::Trigger::Completed;
  lifecycle_->attemptEnded({jobId, attempt}, done);
  ASSERT_EQ(store_->claimDue(nowMicros(), 10, later(600))->size(), 1u);  // then the host dies mid-send
  EXPECT_TRUE(store_->claimDue(nowMicros(), 10, later(600))->empty());
  lifecycle_->rescue(storage::RescueScope::AllRunning);
  if (GetParam() == Backend::Postgres) {
    // Shared: another host may be sending it; its lease has to run out first.
    EXPECT_TRUE(store_->claimDue(nowMicros(), 10, later(600))->empty());
    return;
  }
  auto again = store_->claimDue(nowMicros(), 10, later(600));
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().sendAttempts, 2);
}

TEST_P(SqlStoreTest, DeregisteringCancelsQueuedJobs) {
  auto handler = addHandler("h");
  auto jobId = fire().jobs[0].jobId;
  ASSERT_TRUE(lifecycle_->deregisterHandler(handler.id, alice_));
  EXPECT_EQ(stateOf(jobId), JobState::Cancelled);
  EXPECT_EQ(store_->countQueued(), 0);
}

TEST_P(SqlStoreTest, JobPagesFollowTheCursor) {
  addHandler("h");
  for (int i = 0; i < 7; ++i) fire();
  storage::JobQuery query;
  query.limit = 3;
  std::vector<std::int64_t> seen;
  for (int page = 0; page < 5; ++page) {
    auto jobs = store_->listJobs(query);
    if (jobs.empty()) break;
    for (const auto& job : jobs) seen.push_back(job.id);
    query.after = jobs.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
}

}  // namespace
}  // namespace hookhost::testing
