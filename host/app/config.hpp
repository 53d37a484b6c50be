#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hookhost::app {

/// A config file or variable that cannot be used: start-up stops with this message.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The effective configuration: built-in defaults, then the JSON file, then environment
/// variables (`HOOKHOST_HTTP_PORT` for `http.port`). Only known keys exist; each has a type
/// that the file and the environment must respect. Immutable once loaded.
class Config {
 public:
  /// `file` may be empty (defaults only). `environment` maps variable names to values.
  static Config load(const std::optional<std::filesystem::path>& file,
                     const std::map<std::string, std::string>& environment);
  static std::map<std::string, std::string> processEnvironment();

  std::string text(const std::string& key) const;
  std::int64_t integer(const std::string& key) const;
  bool flag(const std::string& key) const;
  std::chrono::milliseconds duration(const std::string& key) const;
  std::vector<std::string> list(const std::string& key) const;
  std::map<std::string, std::string> map(const std::string& key) const;
  bool isSet(const std::string& key) const;
  /// The value as text (numbers and flags spelled out), or empty when unset: for
  /// subsystems that read their keys through a lookup function.
  std::optional<std::string> textOf(const std::string& key) const;

  /// Keys the file held that hookhost does not know (reported as warnings, not errors, so
  /// a config shared with a newer version still starts).
  const std::vector<std::string>& unknownKeys() const { return unknownKeys_; }

  /// The environment variable that overrides `key`.
  static std::string environmentName(const std::string& key);

 private:
  std::map<std::string, nlohmann::json> values_;
  std::vector<std::string> unknownKeys_;
};

/// Where the bundled files are: found from the running executable, so the binary works from
/// any directory, in the build tree (`<build>/bin`) as once installed (`<prefix>/bin`).
std::filesystem::path executableDirectory();
std::filesystem::path bundledPath(const std::string& relative);  // relative to <bin>/..

}  // namespace hookhost::app
