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

}  // namespace hookhost::http
