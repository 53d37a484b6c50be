#include "storage/records.hpp"

namespace hookhost::storage {

const char* roleName(Role role) {
  switch (role) {
    case Role::Admin: return "admin";
    case Role::User: return "user";
    case Role::Publisher: return "publisher";
  }
  return "user";
}

std::optional<Role> parseRole(const std::string& text) {
  if (text == "admin") return Role::Admin;
  if (text == "user") return Role::User;
  if (text == "publisher") return Role::Publisher;
  return std::nullopt;
}

const char* jobStateName(JobState state) {
  switch (state) {
    case JobState::Queued: return "QUEUED";
    case JobState::Running: return "RUNNING";
    case JobState::Waiting: return "WAITING";
    case JobState::Succeeded: return "SUCCEEDED";
    case JobState::Failed: return "FAILED";
    case JobState::TimedOut: return "TIMED_OUT";
    case JobState::Cancelled: return "CANCELLED";
  }
  return "FAILED";
}

std::optional<JobState> parseJobState(const std::string& text) {
  for (JobState state : {JobState::Queued, JobState::Running, JobState::Waiting, JobState::Succeeded,
                         JobState::Failed, JobState::TimedOut, JobState::Cancelled}) {
    if (text == jobStateName(state)) return state;
  }
  return std::nullopt;
}

bool isTerminal(JobState state) {
  return state == JobState::Succeeded || state == JobState::Failed || state == JobState::TimedOut ||
         state == JobState::Cancelled;
}

}  // namespace hookhost::storage
