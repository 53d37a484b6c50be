#pragma once

#include <optional>
#include <string_view>

namespace hookhost::jobs {

/// Where a job is in its life (DESIGN "Job states"). PENDING is a coalescing job whose
/// window is still open: it gathers events until the window closes.
enum class JobState { Pending, Queued, Running, Waiting, Succeeded, Failed, TimedOut, Cancelled };

inline constexpr JobState kAllJobStates[] = {JobState::Pending,   JobState::Queued, JobState::Running,
                                             JobState::Waiting,   JobState::Succeeded, JobState::Failed,
                                             JobState::TimedOut,  JobState::Cancelled};

/// The one spelling of each state, in the store and in the API ("QUEUED", "TIMED_OUT").
const char* jobStateName(JobState state);
std::optional<JobState> parseJobState(std::string_view text);
bool isTerminal(JobState state);

/// The kinds of entries in a job's history.
enum class HistoryKind { Create, Coalesce, Run, Update, Retry, Defer, Finish, Fail, Timeout, Cancel, Notify };

inline constexpr HistoryKind kAllHistoryKinds[] = {HistoryKind::Create, HistoryKind::Coalesce, HistoryKind::Run,
                                                   HistoryKind::Update,
                                                   HistoryKind::Retry,  HistoryKind::Defer,   HistoryKind::Finish,
                                                   HistoryKind::Fail,   HistoryKind::Timeout, HistoryKind::Cancel,
                                                   HistoryKind::Notify};

/// The one spelling of each kind ("CREATE", "TIMEOUT").
const char* historyKindName(HistoryKind kind);
std::optional<HistoryKind> parseHistoryKind(std::string_view text);

}  // namespace hookhost::jobs
