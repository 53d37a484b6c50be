#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookhost {

/// Timestamps are stored and compared as microseconds since the Unix epoch (UTC).
using Micros = std::int64_t;

Micros nowMicros();

/// "2026-11-23T13:14:15.123456Z"
std::string formatRfc3339(Micros at);

/// Durations as the config writes them: "500ms", "30s", "5m", "1h", "5d"; a bare number is
/// seconds. Empty when the text is not a duration.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace hookhost
