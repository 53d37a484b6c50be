#include "plugins/worker_messages.hpp"

namespace hookhost::plugins {

nlohmann::json makeWorkerLoadMessage(const LoadedPlugin& plugin, const std::string& handler) {
  return {{"type", "load"},
          {"library", plugin.info().libraryPath.string()},
          {"handler", handler},
          {"config", plugin.info().config}};
}

nlohmann::json makeWorkerRunMessage(const dispatch::RunRequest& request) {
  return {{"type", "run"},
          {"job",
           {{"job_id", request.jobId},
            {"event_id", request.eventId},
            {"hook", request.hook},
            {"user", request.user},
            {"attempt", request.attempt},
            {"handler", request.handlerName},
            {"handler_id", request.handlerId},
            {"handler_version", request.handlerVersion}}},
          {"config", request.config.is_object() ? request.config : nlohmann::json::object()},
          {"payload", request.payload}};
}

}  // namespace hookhost::plugins
