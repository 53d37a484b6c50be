#include "filter/filter_cache.hpp"

#include "common/bounded_json.hpp"

namespace hookhost::filter {

bool FilterCache::admits(std::int64_t handlerId, int version, const std::string& patternText,
                         const nlohmann::json& payload) {
  auto pattern = patternFor(handlerId, version, patternText);
  return pattern && pattern->matches(payload);
}

std::shared_ptr<const EventPattern> FilterCache::patternFor(std::int64_t handlerId, int version,
                                                           const std::string& patternText) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(handlerId);
  if (it != entries_.end() && it->second.version == version) return it->second.pattern;
  std::shared_ptr<const EventPattern> pattern;
  if (auto parsed = parseBoundedJson(patternText)) {
    if (auto compiled = EventPattern::compile(*parsed)) pattern = std::make_shared<const EventPattern>(std::move(*compiled));
  }
  entries_[handlerId] = Entry{version, pattern};
  return pattern;
}

}  // namespace hookhost::filter
