#include <memory>

#include "http/routes/job_follower.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {
namespace {

std::optional<bool> parseFollow(const ApiRequest& request) {
  auto value = request.queryValue("follow");
  if (!value || *value == "0" || *value == "false") return false;
  if (*value == "1" || *value == "true" || value->empty()) return true;
  return std::nullopt;
}

ApiReply tooManyFollowers(std::size_t cap) {
  ApiReply reply = errorReply(ErrorKind::Unavailable, "too_many_followers",
                              "this host serves " + std::to_string(cap) + " followers of job output at once; retry shortly");
  reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

}  // namespace

ApiReply getJobOutput(const ApiRequest& request, Services& services) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto job = id ? services.jobs.getJob(*id) : std::nullopt;
  if (!job) return notFound("job", idText);
  if (!maySeeJob(request.caller(), *job, services.jobs)) {
    return errorReply(ErrorKind::Forbidden, "forbidden", "job " + idText + " belongs to another user's handler");
  }
  auto follow = parseFollow(request);
  if (!follow) return errorReply(ErrorKind::BadRequest, "invalid_follow", "follow: must be 1 or 0");
  auto* outputs = services.liveOutputs;
  if (!*follow || !outputs) {
    auto live = outputs ? outputs->find(*id) : nullptr;
    return textReply(200, live ? live->text() : job->output.value_or(""), "text/plain; charset=utf-8");
  }
  auto slot = outputs->admitFollower();
  if (!slot) return tooManyFollowers(outputs->options().maxFollowers);
  ApiReply reply;
  reply.contentType = "text/event-stream";
  // Held until the stream ends, whichever way it ends.
  auto held = std::make_shared<jobs::LiveOutputs::FollowerSlot>(std::move(*slot));
  reply.stream = [held, &services, outputs, jobId = *id](EventStream& events) {
    JobFollower(services, *outputs, jobId, events).run();
  };
  return reply;
}

}  // namespace hookhost::http
