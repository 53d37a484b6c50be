#include "jobs/job_state.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hookhost::jobs {
namespace {

TEST(JobState, EachStateHasOneSpellingThatParsesBack) {
  std::set<std::string> names;
  for (JobState state : kAllJobStates) {
    names.insert(jobStateName(state));
    EXPECT_EQ(parseJobState(jobStateName(state)), state) << jobStateName(state);
  }
  EXPECT_EQ(names, (std::set<std::string>{"PENDING", "QUEUED", "RUNNING", "WAITING", "SUCCEEDED", "FAILED",
                                          "TIMED_OUT", "CANCELLED"}));
  EXPECT_FALSE(parseJobState("queued"));
  EXPECT_FALSE(parseJobState(""));
}

TEST(JobState, OnlyTheEndsAreTerminal) {
  std::set<std::string> terminal;
  for (JobState state : kAllJobStates) {
    if (isTerminal(state)) terminal.insert(jobStateName(state));
  }
  EXPECT_EQ(terminal, (std::set<std::string>{"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"}));
}

TEST(HistoryKind, EachKindHasOneSpellingThatParsesBack) {
  std::set<std::string> names;
  for (HistoryKind kind : kAllHistoryKinds) {
    names.insert(historyKindName(kind));
    EXPECT_EQ(parseHistoryKind(historyKindName(kind)), kind);
  }
  EXPECT_EQ(names, (std::set<std::string>{"CREATE", "COALESCE", "RUN", "UPDATE", "RETRY", "DEFER", "FINISH", "FAIL", "TIMEOUT",
                                          "CANCEL", "NOTIFY"}));
  EXPECT_FALSE(parseHistoryKind("DONE"));
}

}  // namespace
}  // namespace hookhost::jobs
