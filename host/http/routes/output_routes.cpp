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
  auto job = visibleJob(request, services.jobs);
  if (!job) return errorReply(job.error());
  auto follow = parseFollow(request);
  if (!follow) return errorReply(ErrorKind::BadRequest, "invalid_follow", "follow: must be 1 or 0");
  auto* outputs = services.liveOutputs;
  if (!*follow || !outputs) {
    auto live = outputs ? outputs->find(job->id) : nullptr;
    return textReply(200, live ? live->text() : job->output.value_or(""), "text/plain; charset=utf-8");
  }
  auto slot = outputs->admitFollower();
  if (!slot) return tooManyFollowers(outputs->options().maxFollowers);
  ApiReply reply;
  reply.contentType = "text/event-stream";
  // Held until the stream ends, whichever way it ends.
  auto held = std::make_shared<jobs::LiveOutputs::FollowerSlot>(std::move(*slot));
  reply.stream = [held, &services, outputs, jobId = job->id](EventStream& events) {
    JobFollower(services, *outputs, jobId, events).run();
  };
  return reply;
}

}  // namespace hookhost::http
