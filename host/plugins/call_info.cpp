#include "plugins/call_info.hpp"

#include "common/json_member.hpp"

#include <utility>

namespace hookhost::plugins {

CallInfo::CallInfo(const dispatch::RunRequest& request, std::string pluginHandler)
    : handler_(std::move(pluginHandler)),
      registeredName_(request.handlerName),
      hook_(request.hook),
      user_(request.user),
      config_(request.config.is_object() ? request.config.dump() : "{}"),
      eventAt_(request.eventAt),
      events_(request.events.is_array() ? request.events.dump() : "") {
  call_.job_id = request.jobId;
  call_.event_id = request.eventId;
  call_.handler_id = request.handlerId;
  call_.handler_version = request.handlerVersion;
  call_.attempt = request.attempt;
  point();
}

CallInfo::CallInfo(const nlohmann::json& job, const nlohmann::json& config, std::string pluginHandler)
    : handler_(std::move(pluginHandler)),
      registeredName_(jsonMember<std::string>(job, "handler", "")),
      hook_(jsonMember<std::string>(job, "hook", "")),
      user_(jsonMember<std::string>(job, "user", "")),
      config_(config.is_object() ? config.dump() : "{}"),
      eventAt_(jsonMember<std::string>(job, "event_at", "")),
      events_(job.contains("events") && job["events"].is_array() ? job["events"].dump() : "") {
  call_.job_id = jsonMember<std::int64_t>(job, "job_id", 0);
  call_.event_id = jsonMember<std::int64_t>(job, "event_id", 0);
  call_.handler_id = jsonMember<std::int64_t>(job, "handler_id", 0);
  call_.handler_version = jsonMember<int>(job, "handler_version", 0);
  call_.attempt = jsonMember<int>(job, "attempt", 0);
  point();
}

void CallInfo::point() {
  call_.struct_size = sizeof(hh_call_v1);
  call_.handler = handler_.c_str();
  call_.registered_name = registeredName_.c_str();
  call_.hook = hook_.c_str();
  call_.user = user_.c_str();
  call_.config_json = config_.data();
  call_.config_len = config_.size();
  call_.event_at = eventAt_.c_str();
  call_.events_json = events_.empty() ? nullptr : events_.data();
  call_.events_len = events_.size();
}

}  // namespace hookhost::plugins
