#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace hookhost::plugins::comtrade {

/// A readable summary of one ctingress.on_complete payload: the archive, its request, the
/// data sets that imported and those that failed (with their errors), the stream count and
/// the time span the streams cover. Throws std::invalid_argument when the payload has no
/// DataSets list.
std::string summarizeArchive(const nlohmann::json& payload);

/// Nanoseconds since the epoch as "2020-06-11T02:59:10.000000000Z".
std::string formatNanos(std::int64_t nanos);

/// A nanosecond duration as seconds, without trailing zeros: "189.983333333 s".
std::string formatDuration(std::int64_t nanos);

}  // namespace hookhost::plugins::comtrade
