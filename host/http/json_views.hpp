#pragma once

#include <nlohmann/json.hpp>

#include "storage/records.hpp"

namespace hookhost::http {

/// How jobs and events look in the API (DESIGN.md, "REST API v1").
enum class WithHistory { No, Yes };
nlohmann::json jobToJson(const storage::Job& job, WithHistory withHistory);
nlohmann::json eventToJson(const storage::Event& event, const std::vector<storage::Job>& jobs);

}  // namespace hookhost::http
