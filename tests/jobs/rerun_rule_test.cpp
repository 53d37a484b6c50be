// The table's re-run rule, without a database (issue 15).
#include <gtest/gtest.h>

#include "jobs/rerun_rule.hpp"

namespace hookhost::jobs {
namespace {

RerunFacts finishedJob(JobState state) {
  RerunFacts facts;
  facts.source.jobId = 7;
  facts.source.state = state;
  facts.eventId = 3;
  facts.handlerId = 2;
  facts.version = 4;
  return facts;
}

TEST(RerunRule, AFinishedJobIsReRunAsANewQueuedJobCreatedWithRerunOf) {
  for (JobState state : {JobState::Succeeded, JobState::Failed, JobState::TimedOut, JobState::Cancelled}) {
    auto decision = decideRerun(finishedJob(state));
    ASSERT_TRUE(std::holds_alternative<Creation>(decision)) << jobStateName(state);
    const auto& creation = std::get<Creation>(decision);
    EXPECT_EQ(creation.state, JobState::Queued);
    EXPECT_EQ(creation.history, HistoryKind::Create);
    EXPECT_EQ(creation.historyData["rerun_of"], 7);
    EXPECT_EQ(creation.historyData["event_id"], 3);
    EXPECT_EQ(creation.historyData["handler_version"], 4);
    EXPECT_FALSE(creation.historyData.contains("pinned_version"));
  }
}

TEST(RerunRule, AJobNotYetFinishedIsRefusedWith409) {
  for (JobState state : {JobState::Pending, JobState::Queued, JobState::Running, JobState::Waiting}) {
    auto decision = decideRerun(finishedJob(state));
    ASSERT_TRUE(std::holds_alternative<Refusal>(decision)) << jobStateName(state);
    EXPECT_EQ(std::get<Refusal>(decision).error.kind, ErrorKind::Conflict);
    EXPECT_EQ(std::get<Refusal>(decision).error.code, "job_not_finished");
  }
}

TEST(RerunRule, ADeregisteredHandlerNeedsAPinnedVersion) {
  RerunFacts facts = finishedJob(JobState::Failed);
  facts.handlerDeregistered = true;
  auto refused = decideRerun(facts);
  ASSERT_TRUE(std::holds_alternative<Refusal>(refused));
  EXPECT_EQ(std::get<Refusal>(refused).error.code, "handler_deregistered");

  facts.pinnedVersion = 1;
  facts.version = 1;
  facts.payloadEdited = true;
  auto pinned = decideRerun(facts);
  ASSERT_TRUE(std::holds_alternative<Creation>(pinned));
  EXPECT_EQ(std::get<Creation>(pinned).historyData["pinned_version"], 1);
  EXPECT_EQ(std::get<Creation>(pinned).historyData["payload_edited"], true);
}

}  // namespace
}  // namespace hookhost::jobs
