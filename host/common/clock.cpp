#include "common/clock.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace hookhost {

Micros nowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatRfc3339(Micros at) {
  std::time_t seconds = static_cast<std::time_t>(at / 1'000'000);
  long micros = static_cast<long>(at % 1'000'000);
  if (micros < 0) {
    micros += 1'000'000;
    seconds -= 1;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return text;
}

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  using std::chrono::milliseconds;
  std::int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec != std::errc{} || amount < 0) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s" || unit.empty()) scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return std::nullopt;
  return milliseconds(amount * scale);
}

}  // namespace hookhost
