// Re-runs, replays and versions in the store itself, on SQLite and PostgreSQL (issue 15).
#include "store_fixture.hpp"
#include "storage/handler_settings.hpp"

namespace hookhost::testing {
namespace {

using storage::JobState;

class RerunStoreTest : public StoreTest {
 protected:
  // Claims every queued job and ends its attempt `how`, as the dispatcher would.
  void finishAll(jobs::Trigger how) {
    auto claimed = store_->claimJobs("host-a", 100, 30'000'000);
    for (const auto& job : claimed) {
      jobs::AttemptEnd end;
      end.trigger = how;
      end.error = "it broke";
      lifecycle_->attemptEnded({job.jobId, job.attempt, job.maxAttempts}, end);
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, RerunStoreTest, storeBackends(), backendName);

TEST_P(RerunStoreTest, ARerunIsANewQueuedJobOfTheSameEventWithItsEditedPayload) {
  addHandler("h");
  auto fired = fire();
  const auto source = fired.jobs[0].jobId;
  finishAll(jobs::Trigger::Failed);
  ASSERT_EQ(stateOf(source), JobState::Failed);
  addHandler("h");  // version 2

  storage::RerunRequest request{source, 1, nlohmann::json{{"genome", "mus_musculus"}, {"database", "core"}}};
  auto reruns = lifecycle_->rerun({{request}, std::nullopt});
  ASSERT_TRUE(reruns) << reruns.error().message;
  ASSERT_EQ(reruns->size(), 1u);
  const auto& made = reruns->front();
  EXPECT_EQ(made.rerunOf, source);
  EXPECT_EQ(made.handlerVersion, 1);
  auto job = store_->getJob(made.jobId);
  EXPECT_EQ(job->state, JobState::Queued);
  EXPECT_EQ(job->eventId, fired.eventId);
  EXPECT_EQ(job->handlerVersion, 1);
  ASSERT_FALSE(job->history.empty());
  EXPECT_EQ(job->history[0].kind, "CREATE");
  EXPECT_EQ(job->history[0].data["rerun_of"], source);
  EXPECT_EQ(store_->countQueued(), 1);

  auto claimed = store_->claimJobs("host-a", 10, 30'000'000);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].jobId, made.jobId);
  EXPECT_EQ(claimed[0].handler.version, 1);
  EXPECT_EQ(claimed[0].payload["genome"], "mus_musculus") << "the edited payload runs, not the event's";
  EXPECT_EQ(store_->getEvent(fired.eventId)->payload["genome"], "homo_sapiens");
}

TEST_P(RerunStoreTest, ASelectionWithOneRefusalCreatesNothing) {
  addHandler("h");
  auto done = fire();
  finishAll(jobs::Trigger::Failed);
  auto queued = fire();  // still QUEUED
  const auto queuedBefore = store_->countQueued();

  auto refused = lifecycle_->rerun({{{done.jobs[0].jobId, std::nullopt, std::nullopt},
                                     {queued.jobs[0].jobId, std::nullopt, std::nullopt}},
                                    std::nullopt});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(refused.error().code, "job_not_finished");
  EXPECT_EQ(store_->countQueued(), queuedBefore);
  storage::JobQuery all;
  all.limit = 100;
  EXPECT_EQ(store_->listJobs(all).size(), 2u) << "a refused selection left a job behind";

  auto unknownVersion = lifecycle_->rerun({{{done.jobs[0].jobId, 5, std::nullopt}}, std::nullopt});
  ASSERT_FALSE(unknownVersion);
  EXPECT_EQ(unknownVersion.error().kind, ErrorKind::NotFound);
}

TEST_P(RerunStoreTest, AReplayReRunsTheMatchingJobsOfTheOwnersHandlersOnly) {
  auto mine = addHandler("mine");
  auto bob = *store_->createUser("bob", "bob@example.com", storage::Role::User, "bobid", "hash");
  storage::HandlerSpec spec = mine.spec;
  spec.name = "bobs";
  spec.code = "AAAA";
  auto bobs = store_->registerHandler(spec, bob)->handler;
  for (int i = 0; i < 3; ++i) {
    fire();
    finishAll(jobs::Trigger::Failed);
  }
  storage::ReplayQuery query;
  query.hook = "staging.new_assembly";
  query.ownerId = alice_.id;
  query.states = {JobState::Failed};
  query.limit = 10;
  auto candidates = store_->replayCandidates(query);
  ASSERT_EQ(candidates.size(), 3u);
  for (const auto& job : candidates) EXPECT_EQ(job.handlerId, mine.id);

  auto reruns = lifecycle_->rerun({{}, query});
  ASSERT_TRUE(reruns) << reruns.error().message;
  EXPECT_EQ(reruns->size(), 3u);
  EXPECT_EQ(store_->countQueued(), 3);
  query.ownerId = bob.id;
  query.limit = 2;
  EXPECT_EQ(store_->replayCandidates(query).size(), 2u);
  EXPECT_EQ(store_->replayCandidates(query)[0].handlerId, bobs.id);
}

TEST_P(RerunStoreTest, EveryVersionKeepsItsCodeAndSettings) {
  auto first = addHandler("h", {"one"}, 2);
  storage::HandlerSpec second = first.spec;
  second.code = "BBBB";
  second.tags = {"two"};
  second.notifyOnFailure = "other@example.com";
  ASSERT_TRUE(store_->registerHandler(second, alice_));

  auto listed = store_->listVersions(first.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->versions.size(), 2u);
  EXPECT_EQ(listed->versions[0].version, 2);
  EXPECT_EQ(listed->versions[0].createdBy, "alice");
  EXPECT_TRUE(listed->versions[0].code.empty()) << "a listing carries code";
  EXPECT_EQ(listed->versions[0].codeSha256.size(), 64u);
  EXPECT_NE(listed->versions[0].codeSha256, listed->versions[1].codeSha256);

  auto old = store_->getVersion(first.id, 1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->code, "AAAA");
  auto restored = storage::withSettings(second, old->settings);
  EXPECT_EQ(restored.tags, std::vector<std::string>{"one"});
  EXPECT_EQ(restored.notifyOnFailure, "fail@example.com");
  EXPECT_EQ(restored.maxAttempts, 2);
  EXPECT_EQ(restored.timeoutS, 5);
  EXPECT_FALSE(store_->getVersion(first.id, 3));
  EXPECT_FALSE(store_->listVersions(999999));
}

}  // namespace
}  // namespace hookhost::testing
