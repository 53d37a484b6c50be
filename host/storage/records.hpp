#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/runtime.hpp"

#include "common/clock.hpp"
#include "jobs/coalesce_settings.hpp"
#include "jobs/job_state.hpp"

namespace hookhost::storage {

enum class Role { Admin, User, Publisher };
const char* roleName(Role role);
std::optional<Role> parseRole(const std::string& text);

struct User {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  Role role = Role::User;
  Micros createdAt = 0;
  std::optional<Micros> revokedAt;
};

/// A user together with the stored hash of their key; only the authenticator sees this.
struct UserCredentials {
  User user;
  std::string keyHash;
};

/// What a client asks to register; validated by the registry before it reaches the store.
struct HandlerSpec {
  std::string name;
  std::string hook;
  Runtime runtime = Runtime::Python;
  std::string code;     // python: base64 of the dill pickle, stored opaque, decoded only by the runner
  std::string plugin;   // plugin: "<plugin>/<handler>"
  std::string pythonVersion;  // python: "3.11", the interpreter it runs in ("" = the default)
  nlohmann::json config = nlohmann::json::object();
  std::string notifyOnSuccess;
  std::string notifyOnFailure;
  std::vector<std::string> tags;
  int timeoutS = 60;
  int maxAttempts = 1;
  int maxConcurrency = 0;
  // The content filter (filter/event_pattern.hpp), as given. Unset in a registration: a
  // replaced handler keeps its filter (a new one has none); JSON null: no filter. Read
  // from the store it is always set.
  std::optional<nlohmann::json> filter;
  std::optional<jobs::CoalesceSettings> coalesce;  // none: one job per event
};

struct Handler {
  std::int64_t id = 0;
  int version = 0;
  HandlerSpec spec;  // code left empty unless asked for
  std::int64_t ownerId = 0;
  Micros createdAt = 0;
  std::string createdBy;
  Micros updatedAt = 0;
  std::string updatedBy;
};

// A job's state is the job state machine's (jobs/job_state.hpp).
using jobs::isTerminal;
using jobs::JobState;
using jobs::jobStateName;
using jobs::parseJobState;

struct HistoryEntry {
  std::string kind;  // a jobs::HistoryKind by its name
  Micros at = 0;
  nlohmann::json data = nlohmann::json::object();
};

struct Job {
  std::int64_t id = 0;
  std::int64_t eventId = 0;
  std::int64_t handlerId = 0;
  int handlerVersion = 0;
  std::string handlerName;
  std::string hook;
  std::int64_t ownerId = 0;
  JobState state = JobState::Queued;
  int attempt = 0;
  int maxAttempts = 1;
  std::optional<std::string> result;
  std::optional<std::string> error;
  std::optional<std::string> output;
  Micros createdAt = 0;
  std::optional<Micros> startedAt;
  std::optional<Micros> finishedAt;
  std::vector<HistoryEntry> history;  // filled by getJob only
};

struct Event {
  std::int64_t id = 0;
  std::string hook;
  nlohmann::json payload;
  std::vector<std::string> tags;
  std::optional<std::string> key;
  std::optional<std::int64_t> parentJobId;
  std::int64_t rootEventId = 0;  // the chain's first event; its own id for a root
  int depth = 0;
  std::string createdBy;
  Micros createdAt = 0;
};

}  // namespace hookhost::storage
