#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "storage/dispatch_records.hpp"

namespace hookhost::http {

/// One fire object (`{"hook", "payload", "tags", "key"}`) as the event it asks for, fired
/// by `caller`; a malformed one is the error (422, naming the field).
Result<storage::NewEvent> parseFire(const nlohmann::json& body, const std::string& caller);

/// A `wait` query value: seconds >= 0, capped at kMaxWaitSeconds; nullopt when malformed.
std::optional<double> parseWait(const std::string& text);

constexpr double kMaxWaitSeconds = 300;

}  // namespace hookhost::http
