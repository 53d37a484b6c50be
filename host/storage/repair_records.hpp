#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/runtime.hpp"
#include "jobs/rerun_rule.hpp"
#include "storage/records.hpp"

namespace hookhost::storage {

/// One registered version of a handler (DESIGN "Repair").
struct HandlerVersion {
  int version = 0;
  Runtime runtime = Runtime::Python;
  std::string code;        // only when asked for
  std::string codeSha256;  // of the code's bytes (a Python pickle); empty for a plugin
  nlohmann::json settings = nlohmann::json::object();  // storage/handler_settings.hpp
  Micros createdAt = 0;
  std::string createdBy;
};

/// Every version of one handler, newest first; kept when it is deregistered.
struct HandlerVersions {
  std::int64_t handlerId = 0;
  std::int64_t ownerId = 0;
  bool deregistered = false;
  std::vector<HandlerVersion> versions;
};

/// One job to re-run.
struct RerunRequest {
  std::int64_t jobId = 0;
  std::optional<int> version;              // pinned; none: the handler's current version
  std::optional<nlohmann::json> payload;   // edited (checked by the caller); none: as the job ran
};

/// The jobs a replay re-runs: of `hook` and/or `handlerId` (and, for a non-admin, of
/// `ownerId`'s handlers), in one of `states`, created in [since, until), oldest first.
struct ReplayQuery {
  std::optional<std::string> hook;
  std::optional<std::int64_t> handlerId;
  std::optional<std::int64_t> ownerId;
  std::vector<JobState> states;
  std::optional<Micros> since;
  std::optional<Micros> until;
  int limit = 1000;
};

/// What to re-run: the jobs named, or those matching a query chosen in the same
/// transaction as their re-runs are recorded.
struct RerunSelection {
  std::vector<RerunRequest> jobs;
  std::optional<ReplayQuery> matching;
};

struct Rerun {
  std::int64_t jobId = 0;
  std::int64_t rerunOf = 0;
  std::int64_t handlerId = 0;
  int handlerVersion = 0;
};

/// What the lifecycle makes of each re-run; runs on the store's writer thread: pure, quick.
using DecideRerun = std::function<jobs::CreationDecision(const jobs::RerunFacts&)>;

}  // namespace hookhost::storage
