#include "jobs/rerun_rule.hpp"

#include <string>

namespace hookhost::jobs {

CreationDecision decideRerun(const RerunFacts& facts) {
  const std::string id = std::to_string(facts.source.jobId);
  if (!isTerminal(facts.source.state)) {
    return Refusal{{ErrorKind::Conflict, "job_not_finished",
                    "job " + id + " is " + jobStateName(facts.source.state) +
                        "; only a job that has ended (SUCCEEDED, FAILED, TIMED_OUT, CANCELLED) can be re-run"}};
  }
  if (facts.handlerDeregistered && !facts.pinnedVersion) {
    return Refusal{{ErrorKind::Conflict, "handler_deregistered",
                    "the handler of job " + id +
                        " was deregistered; pin one of its versions (\"version\": N) to re-run it with that code"}};
  }
  Creation creation;
  creation.historyData = {{"event_id", facts.eventId},
                          {"handler_id", facts.handlerId},
                          {"handler_version", facts.version},
                          {"rerun_of", facts.source.jobId}};
  if (facts.pinnedVersion) creation.historyData["pinned_version"] = *facts.pinnedVersion;
  if (facts.payloadEdited) creation.historyData["payload_edited"] = true;
  return creation;
}

}  // namespace hookhost::jobs
