#include "http/routes/fire_parsing.hpp"

#include <algorithm>
#include <charconv>

namespace hookhost::http {

Result<storage::NewEvent> parseFire(const nlohmann::json& body, const std::string& caller) {
  auto invalid = [](const std::string& field, const std::string& message) {
    return makeError(ErrorKind::Unprocessable, "invalid_" + field, field + ": " + message);
  };
  if (!body.is_object()) return makeError(ErrorKind::Unprocessable, "invalid_body", "a fire must be a JSON object {\"hook\", \"payload\", …}");
  storage::NewEvent event;
  event.createdBy = caller;
  auto hook = body.find("hook");
  if (hook == body.end() || !hook->is_string() || hook->get<std::string>().empty()) {
    return invalid("hook", "is required and must be a string");
  }
  event.hook = hook->get<std::string>();
  auto payload = body.find("payload");
  if (payload != body.end() && !payload->is_null()) {
    if (!payload->is_object()) return invalid("payload", "must be a JSON object (the handler's keyword arguments)");
    event.payload = *payload;
  }
  auto tags = body.find("tags");
  if (tags != body.end() && !tags->is_null()) {
    if (!tags->is_array()) return invalid("tags", "must be a list of strings");
    for (const auto& tag : *tags) {
      if (!tag.is_string() || tag.get<std::string>().empty()) return invalid("tags", "must be a list of non-empty strings");
      event.tags.push_back(tag.get<std::string>());
    }
  }
  auto key = body.find("key");
  if (key != body.end() && !key->is_null()) {
    if (!key->is_string() || key->get<std::string>().empty() || key->get<std::string>().size() > 512) {
      return invalid("key", "must be a non-empty string of at most 512 characters");
    }
    event.key = key->get<std::string>();
  }
  return event;
}

std::optional<double> parseWait(const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0) return std::nullopt;
  return std::min(seconds, kMaxWaitSeconds);
}

}  // namespace hookhost::http
