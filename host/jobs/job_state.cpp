#include "jobs/job_state.hpp"

namespace hookhost::jobs {

const char* jobStateName(JobState state) {
  switch (state) {
    case JobState::Pending: return "PENDING";
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

std::optional<JobState> parseJobState(std::string_view text) {
  for (JobState state : kAllJobStates) {
    if (text == jobStateName(state)) return state;
  }
  return std::nullopt;
}

bool isTerminal(JobState state) {
  return state == JobState::Succeeded || state == JobState::Failed || state == JobState::TimedOut ||
         state == JobState::Cancelled;
}

const char* historyKindName(HistoryKind kind) {
  switch (kind) {
    case HistoryKind::Create: return "CREATE";
    case HistoryKind::Coalesce: return "COALESCE";
    case HistoryKind::Run: return "RUN";
    case HistoryKind::Update: return "UPDATE";
    case HistoryKind::Retry: return "RETRY";
    case HistoryKind::Defer: return "DEFER";
    case HistoryKind::Finish: return "FINISH";
    case HistoryKind::Fail: return "FAIL";
    case HistoryKind::Timeout: return "TIMEOUT";
    case HistoryKind::Cancel: return "CANCEL";
    case HistoryKind::Notify: return "NOTIFY";
  }
  return "UPDATE";
}

std::optional<HistoryKind> parseHistoryKind(std::string_view text) {
  for (HistoryKind kind : kAllHistoryKinds) {
    if (text == historyKindName(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace hookhost::jobs
