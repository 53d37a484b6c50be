#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "jobs/transition.hpp"

namespace hookhost::jobs {

/// A re-run asked for (POST /v1/jobs/{id}/rerun, POST /v1/replay), with what the store
/// knows of the job re-run and its handler, read in the write transaction.
struct RerunFacts {
  JobFacts source;  // the job re-run
  std::int64_t eventId = 0;
  std::int64_t handlerId = 0;
  bool handlerDeregistered = false;
  std::optional<int> pinnedVersion;  // the version asked for; none: the current one
  int version = 0;                   // the version the new job runs
  bool payloadEdited = false;
};

/// A new job the table starts: its first state and its history entry.
struct Creation {
  JobState state = JobState::Queued;
  HistoryKind history = HistoryKind::Create;
  nlohmann::json historyData = nlohmann::json::object();
};

using CreationDecision = std::variant<Creation, Refusal>;

/// The table's rule for a re-run, beside the (state, trigger) rows of decide(): a new job
/// of the source's event and handler, QUEUED, with CREATE {"rerun_of"}; refused (409) for a
/// job not yet terminal (it may still end well; a second run beside it is not a repair)
/// and for a deregistered handler unless a version is pinned. Pure.
CreationDecision decideRerun(const RerunFacts& facts);

}  // namespace hookhost::jobs
