// POST /v1/jobs/{id}/rerun and POST /v1/replay: new jobs of finished jobs' events, through
// the job lifecycle.
#include "http/routes/repair_request.hpp"
#include "http/routes/repair_routes.hpp"
#include "http/routes/route_support.hpp"

#include "common/clock.hpp"

namespace hookhost::http {
namespace {

std::optional<ApiReply> refuseWhileStopping(const Services& services) {
  if (!services.shuttingDown) return std::nullopt;
  return errorReply(ErrorKind::Unavailable, "shutting_down", "the host is shutting down; try again elsewhere or later");
}

// The owner of a handler, deregistered or not (its jobs and versions outlive it).
std::optional<std::int64_t> handlerOwner(Services& services, std::int64_t handlerId) {
  if (auto handler = services.handlers.getHandler(handlerId)) return handler->ownerId;
  if (auto versions = services.handlers.listVersions(handlerId)) return versions->ownerId;
  return std::nullopt;
}

Result<storage::RerunRequest> parseRerun(const nlohmann::json& body, const storage::Job& job,
                                         const registry::HookCatalog& catalog) {
  storage::RerunRequest rerun;
  rerun.jobId = job.id;
  if (body.is_null()) return rerun;
  if (!body.is_object()) {
    return makeError(ErrorKind::Unprocessable, "invalid_body", "the body must be a JSON object (or none)");
  }
  auto version = optionalVersion(body);
  if (!version) return version.error();
  rerun.version = *version;
  if (auto payload = body.find("payload"); payload != body.end() && !payload->is_null()) {
    if (!payload->is_object()) {
      return makeError(ErrorKind::Unprocessable, "invalid_payload",
                       "payload: must be a JSON object (the handler's keyword arguments)");
    }
    // Checked as a fire's payload is: the hook's schema.
    if (auto valid = catalog.validatePayload(job.hook, *payload); !valid) return valid.error();
    rerun.payload = *payload;
  }
  return rerun;
}

}  // namespace

ApiReply rerunJob(const ApiRequest& request, Services& services) {
  if (auto stopping = refuseWhileStopping(services)) return *stopping;
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto job = id ? services.jobs.getJob(*id) : std::nullopt;
  if (!job) return notFound("job", idText);
  if (!mayRepair(request.caller(), job->ownerId)) {
    return errorReply(ErrorKind::Forbidden, "not_owner",
                      "job " + idText + " is of another user's handler; only its owner or an admin may re-run it");
  }
  auto rerun = parseRerun(request.body, *job, services.catalog);
  if (!rerun) return errorReply(rerun.error());
  auto created = services.lifecycle.rerun({{*rerun}, std::nullopt});
  if (!created) return errorReply(created.error());
  const storage::Rerun& made = created->front();
  return jsonReply(202, {{"job_id", made.jobId},
                         {"rerun_of", made.rerunOf},
                         {"handler_id", made.handlerId},
                         {"handler_version", made.handlerVersion}});
}

ApiReply replayJobs(const ApiRequest& request, Services& services) {
  if (auto stopping = refuseWhileStopping(services)) return *stopping;
  if (request.body.is_null()) {
    return errorReply(ErrorKind::BadRequest, "missing_body", "the request needs a JSON body naming a hook or a handler_id");
  }
  auto replay = parseReplay(request.body, services.catalog);
  if (!replay) return errorReply(replay.error());
  storage::ReplayQuery& query = replay->query;
  const storage::User& caller = request.caller();
  if (caller.role != storage::Role::Admin) {
    if (query.handlerId) {
      auto owner = handlerOwner(services, *query.handlerId);
      if (!owner) return notFound("handler", std::to_string(*query.handlerId));
      if (*owner != caller.id) {
        return errorReply(ErrorKind::Forbidden, "not_owner",
                          "handler " + std::to_string(*query.handlerId) + " is another user's; only its owner or an admin may replay its jobs");
      }
    }
    query.ownerId = caller.id;  // a hook's replay takes only the caller's handlers' jobs
  }

  nlohmann::json jobs = nlohmann::json::array();
  if (replay->dryRun) {
    for (const auto& job : services.jobs.replayCandidates(query)) {
      jobs.push_back({{"job_id", nullptr}, {"rerun_of", job.id}, {"handler_id", job.handlerId},
                      {"state", storage::jobStateName(job.state)}, {"created_at", formatRfc3339(job.createdAt)}});
    }
    return jsonReply(200, {{"count", jobs.size()}, {"dry_run", true}, {"jobs", jobs}});
  }
  auto created = services.lifecycle.rerun({{}, query});
  if (!created) return errorReply(created.error());
  for (const auto& made : *created) {
    jobs.push_back({{"job_id", made.jobId}, {"rerun_of", made.rerunOf}, {"handler_id", made.handlerId}});
  }
  return jsonReply(202, {{"count", jobs.size()}, {"dry_run", false}, {"jobs", jobs}});
}

}  // namespace hookhost::http
