#include "recording_run_context.hpp"

namespace hookhost::testing {

void RecordingRunContext::update(const nlohmann::json& data) {
  {
    std::lock_guard lock(mutex_);
    updates_.push_back(data);
  }
  if (onUpdate) onUpdate(data);
}

void RecordingRunContext::log(const std::string& line) {
  std::lock_guard lock(mutex_);
  logs_.push_back(line);
}

Status RecordingRunContext::emit(const dispatch::EmittedEvent& event) {
  if (refusesHook(event.hook)) {
    return makeError(ErrorKind::Unprocessable, "unknown_hook", "unknown hook '" + event.hook + "'");
  }
  std::lock_guard lock(mutex_);
  emitted_.push_back(event);
  return Ok{};
}

Result<dispatch::DeferTicket> RecordingRunContext::defer(const nlohmann::json& data) {
  std::lock_guard lock(mutex_);
  deferrals_.push_back(data);
  return dispatch::DeferTicket{"token-123", "/v1/jobs/7/callback"};
}

std::vector<nlohmann::json> RecordingRunContext::updates() const {
  std::lock_guard lock(mutex_);
  return updates_;
}

std::vector<std::string> RecordingRunContext::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::vector<dispatch::EmittedEvent> RecordingRunContext::emitted() const {
  std::lock_guard lock(mutex_);
  return emitted_;
}

std::vector<nlohmann::json> RecordingRunContext::deferrals() const {
  std::lock_guard lock(mutex_);
  return deferrals_;
}

}  // namespace hookhost::testing
