#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "filter/event_pattern.hpp"

namespace hookhost::filter {

/// The compiled filters of the handlers a store fires for, each compiled once per handler
/// version (at the first fire that meets it: after registration, or after loading a store
/// another host or an earlier run wrote) and kept, so a fire only matches. Thread-safe.
class FilterCache {
 public:
  /// Whether `payload` passes the filter of handler `handlerId` at `version`, stored as
  /// `patternText` (read only when this version is not compiled yet). A stored text that
  /// does not compile lets nothing through: a filter never widens by accident.
  bool admits(std::int64_t handlerId, int version, const std::string& patternText, const nlohmann::json& payload);

 private:
  struct Entry {
    int version = 0;
    std::shared_ptr<const EventPattern> pattern;  // null: the stored text did not compile
  };
  std::shared_ptr<const EventPattern> patternFor(std::int64_t handlerId, int version, const std::string& patternText);

  std::mutex mutex_;
  std::unordered_map<std::int64_t, Entry> entries_;
};

}  // namespace hookhost::filter
