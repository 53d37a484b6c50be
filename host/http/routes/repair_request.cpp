#include "http/routes/repair_request.hpp"

#include <regex>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

#include "http/routes/route_support.hpp"

namespace hookhost::http {
namespace {

Error invalid(const std::string& field, const std::string& message) {
  return makeError(ErrorKind::Unprocessable, "invalid_" + field, field + ": " + message);
}

Status readTime(const nlohmann::json& body, const char* key, std::optional<Micros>& target) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return Ok{};
  if (it->is_string()) target = parseRfc3339(it->get<std::string>());
  if (!target) return invalid(key, "must be an RFC 3339 time such as 2026-12-01T23:00:00Z");
  return Ok{};
}

Status readStates(const nlohmann::json& body, std::vector<jobs::JobState>& states) {
  auto it = body.find("states");
  if (it == body.end() || it->is_null()) {
    states = {jobs::JobState::Failed, jobs::JobState::TimedOut};
    return Ok{};
  }
  const char* expected = "must be a non-empty list of SUCCEEDED, FAILED, TIMED_OUT, CANCELLED";
  if (!it->is_array() || it->empty()) return invalid("states", expected);
  for (const auto& name : *it) {
    auto state = name.is_string() ? jobs::parseJobState(name.get<std::string>()) : std::nullopt;
    if (!state || !jobs::isTerminal(*state)) return invalid("states", expected);
    states.push_back(*state);
  }
  return Ok{};
}

Status readTarget(const nlohmann::json& body, const registry::HookCatalog& catalog, storage::ReplayQuery& query) {
  if (auto hook = body.find("hook"); hook != body.end() && !hook->is_null()) {
    if (!hook->is_string() || hook->get<std::string>().empty()) return invalid("hook", "must be a hook's name");
    if (!catalog.contains(hook->get<std::string>())) {
      return unknownHook(hook->get<std::string>());
    }
    query.hook = hook->get<std::string>();
  }
  if (auto handler = body.find("handler_id"); handler != body.end() && !handler->is_null()) {
    if (!handler->is_number_integer() || handler->get<std::int64_t>() <= 0) {
      return invalid("handler_id", "must be a handler's id");
    }
    query.handlerId = handler->get<std::int64_t>();
  }
  if (!query.hook && !query.handlerId) return invalid("body", "name a hook or a handler_id to replay");
  return Ok{};
}

}  // namespace

// Poco's parser is lenient (it takes "yesterday"), so the form is checked first.
std::optional<Micros> parseRfc3339(const std::string& text) {
  static const std::regex kRfc3339(R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2}))");
  if (!std::regex_match(text, kRfc3339)) return std::nullopt;
  Poco::DateTime parsed;
  int offset = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, text, parsed, offset)) {
    return std::nullopt;
  }
  parsed.makeUTC(offset);
  return parsed.timestamp().epochMicroseconds();
}

bool mayRepair(const storage::User& user, std::int64_t ownerId) {
  return user.role == storage::Role::Admin || user.id == ownerId;
}

Result<std::optional<int>> optionalVersion(const nlohmann::json& body) {
  auto it = body.find("version");
  if (it == body.end() || it->is_null()) return std::optional<int>{};
  if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 || it->get<std::int64_t>() > 1'000'000'000) {
    return invalid("version", "must be a positive integer: one of GET /v1/handlers/{id}/versions");
  }
  return std::optional<int>{static_cast<int>(it->get<std::int64_t>())};
}

Result<ReplayRequest> parseReplay(const nlohmann::json& body, const registry::HookCatalog& catalog) {
  if (!body.is_object()) return invalid("body", "must be a JSON object naming a hook or a handler_id");
  ReplayRequest replay;
  storage::ReplayQuery& query = replay.query;
  if (auto target = readTarget(body, catalog, query); !target) return target.error();
  if (auto states = readStates(body, query.states); !states) return states.error();
  if (auto since = readTime(body, "since", query.since); !since) return since.error();
  if (auto until = readTime(body, "until", query.until); !until) return until.error();
  query.limit = 1000;
  if (auto limit = body.find("limit"); limit != body.end() && !limit->is_null()) {
    if (!limit->is_number_integer() || limit->get<std::int64_t>() < 1 || limit->get<std::int64_t>() > kMaxReplay) {
      return invalid("limit", "must be an integer between 1 and " + std::to_string(kMaxReplay));
    }
    query.limit = static_cast<int>(limit->get<std::int64_t>());
  }
  if (auto dryRun = body.find("dry_run"); dryRun != body.end() && !dryRun->is_null()) {
    if (!dryRun->is_boolean()) return invalid("dry_run", "must be true or false");
    replay.dryRun = dryRun->get<bool>();
  }
  return replay;
}

}  // namespace hookhost::http
