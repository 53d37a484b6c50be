#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "registry/hook_catalog.hpp"
#include "storage/repair_records.hpp"

namespace hookhost::http {

/// The largest replay one request may ask for (issue 15).
inline constexpr int kMaxReplay = 10'000;

/// An RFC 3339 time (with or without fractions; the offset is honoured) as microseconds.
std::optional<Micros> parseRfc3339(const std::string& text);

/// Whether `user` may re-run, replay, list versions of or roll back a handler owned by `ownerId`.
bool mayRepair(const storage::User& user, std::int64_t ownerId);

/// An optional positive integer field (`version`): none when absent or null; 422 otherwise.
Result<std::optional<int>> optionalVersion(const nlohmann::json& body);

/// A `POST /v1/replay` body, checked: hook (known), handler_id, states (terminal ones;
/// default FAILED and TIMED_OUT), since/until (RFC 3339), limit (1..10,000, default 1,000).
/// One of hook or handler_id is required. 422 for a bad field, 404 for an unknown hook.
struct ReplayRequest {
  storage::ReplayQuery query;
  bool dryRun = false;
};
Result<ReplayRequest> parseReplay(const nlohmann::json& body, const registry::HookCatalog& catalog);

}  // namespace hookhost::http
