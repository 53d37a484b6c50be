#include "http/json_views.hpp"

#include "common/clock.hpp"

namespace hookhost::http {
namespace {

nlohmann::json optionalTime(const std::optional<Micros>& at) {
  return at ? nlohmann::json(formatRfc3339(*at)) : nlohmann::json();
}

nlohmann::json optionalText(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json();
}

}  // namespace

nlohmann::json jobToJson(const storage::Job& job, WithHistory withHistory) {
  nlohmann::json out = {
      {"job_id", job.id},
      {"event_id", job.eventId},
      {"handler_id", job.handlerId},
      {"handler", job.handlerName},
      {"handler_version", job.handlerVersion},
      {"hook", job.hook},
      {"state", storage::jobStateName(job.state)},
      {"attempt", job.attempt},
      {"max_attempts", job.maxAttempts},
      {"result", optionalText(job.result)},
      {"error", optionalText(job.error)},
      {"created_at", formatRfc3339(job.createdAt)},
      {"started_at", optionalTime(job.startedAt)},
      {"finished_at", optionalTime(job.finishedAt)},
  };
  if (withHistory == WithHistory::Yes) {
    out["output"] = optionalText(job.output);
    nlohmann::json history = nlohmann::json::array();
    for (const auto& entry : job.history) {
      history.push_back({{"kind", entry.kind}, {"at", formatRfc3339(entry.at)}, {"data", entry.data}});
    }
    out["history"] = history;
  }
  return out;
}

nlohmann::json eventToJson(const storage::Event& event, const std::vector<storage::Job>& jobs) {
  nlohmann::json jobList = nlohmann::json::array();
  for (const auto& job : jobs) jobList.push_back(jobToJson(job, WithHistory::No));
  return {
      {"event_id", event.id},
      {"hook", event.hook},
      {"payload", event.payload},
      {"tags", event.tags},
      {"key", optionalText(event.key)},
      {"parent_job", event.parentJobId ? nlohmann::json(*event.parentJobId) : nlohmann::json()},
      {"parent_job_id", event.parentJobId ? nlohmann::json(*event.parentJobId) : nlohmann::json()},
      {"root_event_id", event.rootEventId ? event.rootEventId : event.id},
      {"depth", event.depth},
      {"created_by", event.createdBy},
      {"created_at", formatRfc3339(event.createdAt)},
      {"jobs", jobList},
  };
}

}  // namespace hookhost::http
