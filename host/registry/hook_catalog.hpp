#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace valijson {
class Schema;
}

namespace hookhost::registry {

/// A malformed catalog file: start-up stops with the file's name and the reason.
class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One hook of the catalog with its payload schema, compiled once at load.
struct Hook {
  std::string name;
  std::string description;
  nlohmann::json payloadSchema;
  std::shared_ptr<const valijson::Schema> compiled;
};

/// The hooks a host accepts, read from one JSON file per hook. Immutable after load, so
/// safe to share between threads.
class HookCatalog {
 public:
  /// Reads every `*.json` in `directory`; throws CatalogError naming the file and the reason.
  static HookCatalog loadFromDirectory(const std::filesystem::path& directory);

  const Hook* find(const std::string& name) const;
  bool contains(const std::string& name) const { return find(name) != nullptr; }
  /// In name order.
  std::vector<const Hook*> all() const;

  /// NotFound for an unknown hook; Unprocessable with the validator's findings otherwise.
  Status validatePayload(const std::string& hookName, const nlohmann::json& payload) const;

 private:
  std::map<std::string, Hook> hooks_;
};

}  // namespace hookhost::registry
