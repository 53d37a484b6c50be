#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace hookhost::jobs {

/// A handler's `coalesce` (DESIGN "Flows"): events whose payload values at `key` are equal
/// gather in one PENDING job until its window closes.
struct CoalesceSettings {
  std::vector<std::string> key;  // JSON Pointers into the payload
  double quietS = 30;            // the window closes this long after its last event...
  double maxWaitS = 600;         // ...or this long after its first, whichever is sooner
  bool afterChain = false;       // and not before the other jobs of its events' chains end

  Micros quiet() const { return static_cast<Micros>(quietS * 1e6); }
  Micros maxWait() const { return static_cast<Micros>(maxWaitS * 1e6); }
};

/// The registration's `coalesce` member, checked: Unprocessable naming the bad part.
Result<CoalesceSettings> parseCoalesce(const nlohmann::json& value);
nlohmann::json coalesceToJson(const CoalesceSettings& settings);
/// The stored form (coalesceToJson's text) read back; nullopt for none or unreadable text.
std::optional<CoalesceSettings> coalesceFromText(const std::string& text);

/// Where a payload falls: its key (the JSON array of the values at the pointers, as text),
/// or the first pointer the payload lacks.
struct CoalesceKey {
  std::optional<std::string> key;
  std::string missingPointer;
};
CoalesceKey coalesceKeyOf(const CoalesceSettings& settings, const nlohmann::json& payload);

/// When a window closes: `quiet` after its last event, but no later than `maxWait` after
/// its first.
inline Micros windowClosesAt(const CoalesceSettings& settings, Micros firstAt, Micros lastAt) {
  return std::min(lastAt + settings.quiet(), firstAt + settings.maxWait());
}

}  // namespace hookhost::jobs
