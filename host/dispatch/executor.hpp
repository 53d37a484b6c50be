#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/runtime.hpp"

namespace hookhost::dispatch {

/// Everything an executor needs to run one attempt of one job. Built by the dispatcher from
/// the job, its event and the handler version the job was created for.
struct RunRequest {
  std::int64_t jobId = 0;
  std::int64_t eventId = 0;
  std::int64_t handlerId = 0;
  int handlerVersion = 0;
  int attempt = 0;
  std::string handlerName;
  std::string hook;
  std::string user;     // the registering user: the identity the handler runs as
  Runtime runtime = Runtime::Python;
  /// python: the handler's dill pickle as stored, in base64. Decoded once, by the sandboxed
  /// runner (the host never decodes or unpickles it).
  std::string codeBase64;
  std::string pythonVersion;  // python: "3.11", the interpreter it was registered for ("" = the default)
  std::string plugin;   // plugin: "<plugin name>/<handler name>"
  nlohmann::json config = nlohmann::json::object();
  nlohmann::json payload = nlohmann::json::object();
  std::chrono::milliseconds timeout{60'000};
  /// The events the run is for (ctx.events): [{"event_id", "hook", "payload", "at"}].
  /// Null for a job of one event, whose one element the runner makes from the fields
  /// above and eventAt (nothing is copied for the common case).
  nlohmann::json events;
  std::string eventAt;  // RFC 3339: when the job's event was recorded
};

/// An event a running handler asks to fire (ctx.emit / the plugin host table).
struct EmittedEvent {
  std::string hook;
  nlohmann::json payload = nlohmann::json::object();
  std::vector<std::string> tags;
  std::optional<std::string> key;
};

/// What a handler gets back when it defers: the token the outside system must present to
/// POST /v1/jobs/{id}/callback. Shown once; the host stores only its hash.
struct DeferTicket {
  std::string token;
  std::string callbackPath;  // "/v1/jobs/<id>/callback"
};

/// The host side of a running attempt. Called from the executor's thread while run() is in
/// progress; implementations are thread-safe.
class RunContext {
 public:
  virtual ~RunContext() = default;
  /// Progress: appended to the job's history as an UPDATE entry.
  virtual void update(const nlohmann::json& data) = 0;
  /// One line of handler log or captured output; kept (capped) with the job.
  virtual void log(const std::string& line) = 0;
  /// One line the handler wrote to `stream` ("stdout" or "stderr"), as it wrote it. Kept with
  /// the job like log lines; contexts that do not tell streams apart log it with its name.
  virtual void output(const std::string& stream, const std::string& line) { log("[" + stream + "] " + line); }
  /// Queue an event to be recorded with the job's completion. An error (unknown hook, payload
  /// failing its schema, chain too deep) is returned to the handler, which may handle it.
  virtual Status emit(const EmittedEvent& event) = 0;
  /// Ask for a callback token; the job goes WAITING when run() returns RunStatus::Deferred.
  virtual Result<DeferTicket> defer(const nlohmann::json& data) = 0;
};

enum class RunStatus { Succeeded, Failed, TimedOut, Deferred };

struct RunOutcome {
  RunStatus status = RunStatus::Failed;
  std::string result;  // Succeeded: the handler's returned text
  std::string error;   // Failed/TimedOut: the message, traceback or signal
  std::string output;  // captured stdout/stderr and log lines, capped
};

/// Runs handlers of one or more runtimes. run() blocks the dispatcher thread that calls it
/// and must return within the request's timeout (plus a small grace), whatever the handler
/// does. Implementations are thread-safe: dispatcher threads call run() concurrently.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual RunOutcome run(const RunRequest& request, RunContext& context) = 0;
};

}  // namespace hookhost::dispatch
