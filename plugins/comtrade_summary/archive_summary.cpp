#include "archive_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hookhost::plugins::comtrade {
namespace {

using nlohmann::json;

std::string textOr(const json& object, const char* key, const char* fallback) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) return fallback;
  return it->get<std::string>();
}

std::optional<std::int64_t> nanosOf(const json& stream, const char* key) {
  auto it = stream.find(key);
  if (it == stream.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

struct DataSet {
  std::string name;
  bool ok = false;
  std::string error;
  std::size_t streams = 0;
};

}  // namespace

std::string formatNanos(std::int64_t nanos) {
  std::int64_t seconds = nanos / 1'000'000'000;
  std::int64_t fraction = nanos % 1'000'000'000;
  if (fraction < 0) {
    fraction += 1'000'000'000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm parts{};
  ::gmtime_r(&t, &parts);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<long long>(fraction));
  return text;
}

std::string formatDuration(std::int64_t nanos) {
  char text[64];
  std::snprintf(text, sizeof text, "%lld.%09lld", static_cast<long long>(nanos / 1'000'000'000),
                static_cast<long long>(nanos % 1'000'000'000));
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out + " s";
}

std::string summarizeArchive(const json& payload) {
  auto sets = payload.find("DataSets");
  if (!payload.is_object() || sets == payload.end() || !sets->is_array()) {
    throw std::invalid_argument("the payload has no DataSets list");
  }
  std::vector<DataSet> dataSets;
  std::size_t streamCount = 0;
  std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
  std::int64_t latest = std::numeric_limits<std::int64_t>::min();
  for (const auto& entry : *sets) {
    if (!entry.is_object()) continue;
    DataSet set;
    set.name = textOr(entry, "Name", "(unnamed)");
    set.error = textOr(entry, "Error", "");
    auto success = entry.find("Success");
    set.ok = success != entry.end() && success->is_boolean() && success->get<bool>() && set.error.empty();
    if (auto streams = entry.find("Streams"); streams != entry.end() && streams->is_array()) {
      for (const auto& stream : *streams) {
        if (!stream.is_object()) continue;
        ++set.streams;
        if (auto start = nanosOf(stream, "StartNs")) earliest = std::min(earliest, *start);
        if (auto end = nanosOf(stream, "EndNs")) latest = std::max(latest, *end);
      }
    }
    streamCount += set.streams;
    dataSets.push_back(std::move(set));
  }
  std::size_t okCount = std::count_if(dataSets.begin(), dataSets.end(), [](const DataSet& s) { return s.ok; });

  std::ostringstream out;
  out << "COMTRADE archive " << textOr(payload, "File", "(unnamed archive)") << "\n";
  out << "Request " << textOr(payload, "RequestID", "(no request id)") << ", submitted "
      << textOr(payload, "SubmittedAt", "(unknown time)") << "\n\n";
  out << "Data sets: " << dataSets.size() << " (" << okCount << " ok, " << dataSets.size() - okCount
      << " failed)\n";
  out << "Streams: " << streamCount << "\n";
  if (earliest <= latest) {
    out << "Time span: " << formatNanos(earliest) << " to " << formatNanos(latest) << " ("
        << formatDuration(latest - earliest) << ")\n";
  } else {
    out << "Time span: none (no stream reports its times)\n";
  }
  if (okCount > 0) {
    out << "\nOK:\n";
    for (const auto& set : dataSets) {
      if (set.ok) out << "  " << set.name << " (" << set.streams << (set.streams == 1 ? " stream)\n" : " streams)\n");
    }
  }
  if (okCount < dataSets.size()) {
    out << "\nFailed:\n";
    for (const auto& set : dataSets) {
      if (!set.ok) out << "  " << set.name << ": " << (set.error.empty() ? "(no error given)" : set.error) << "\n";
    }
  }
  return out.str();
}

}  // namespace hookhost::plugins::comtrade
