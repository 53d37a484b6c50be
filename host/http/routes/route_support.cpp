#include "http/routes/route_support.hpp"

#include <charconv>

namespace hookhost::http {

std::optional<std::int64_t> parseId(const std::string& text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

ApiReply notFound(const std::string& what, const std::string& id) {
  return errorReply(ErrorKind::NotFound, what + "_not_found", "no " + what + " with id " + id);
}

bool maySeeJob(const storage::User& user, const storage::Job& job, storage::JobStore& store) {
  if (user.role == storage::Role::Admin || job.ownerId == user.id) return true;
  auto event = store.getEvent(job.eventId);
  return event && event->createdBy == user.name;
}

std::optional<std::int64_t> listingOwner(const storage::User& user) {
  if (user.role == storage::Role::Admin) return std::nullopt;
  return user.id;
}

Error unknownHook(const std::string& hook) {
  return makeError(ErrorKind::NotFound, "unknown_hook", "no hook named '" + hook + "'; see GET /v1/hooks");
}

Result<storage::Job> visibleJob(const ApiRequest& request, storage::JobStore& store) {
  const std::string& idText = request.pathParameters.at(0);
  auto id = parseId(idText);
  auto job = id ? store.getJob(*id) : std::nullopt;
  if (!job) return makeError(ErrorKind::NotFound, "job_not_found", "no job with id " + idText);
  if (!maySeeJob(request.caller(), *job, store)) {
    return makeError(ErrorKind::Forbidden, "forbidden", "job " + idText + " belongs to another user's handler");
  }
  return *job;
}

}  // namespace hookhost::http
