#include "notify/chain_report.hpp"

#include "common/json_member.hpp"

namespace hookhost::notify {
namespace {

std::string firstLine(const std::string& text) {
  auto end = text.find('\n');
  std::string line = end == std::string::npos ? text : text.substr(0, end);
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

}  // namespace

std::string chainSection(const Notification& n) {
  const nlohmann::json& chain = n.chain;
  if (!chain.is_object() || !chain.contains("steps") || !chain["steps"].is_array()) return "";
  const auto root = jsonMember<std::int64_t>(chain, "root_event_id", 0);
  std::string out = "\nThis job was a step of the chain of event " + std::to_string(root) + " (" +
                    jsonMember<std::string>(chain, "root_hook", "") + "); track it with GET /v1/events/" +
                    std::to_string(root) + "/tree\n\nSteps:\n";
  for (const auto& step : chain["steps"]) {
    const auto jobId = jsonMember<std::int64_t>(step, "job_id", 0);
    out += "  job " + std::to_string(jobId) + "  " + jsonMember<std::string>(step, "handler", "") + " on " +
           jsonMember<std::string>(step, "hook", "") + " (event " + std::to_string(jsonMember<std::int64_t>(step, "event_id", 0)) +
           "): " + jsonMember<std::string>(step, "state", "");
    if (jobId == n.jobId) out += "  <- this step failed";
    out += "\n";
  }
  if (jsonMember<bool>(chain, "truncated", false)) out += "  (more steps not shown)\n";
  out += "\nFailed step: " + n.handlerName + " (job " + std::to_string(n.jobId) + "): " + firstLine(n.error) + "\n";
  return out;
}

}  // namespace hookhost::notify
