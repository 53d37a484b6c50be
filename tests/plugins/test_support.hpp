#pragma once

#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "dispatch/executor.hpp"

namespace hookhost::plugins::test {

std::filesystem::path fixture(const std::string& name);  // <fixtures>/<name>.so
std::filesystem::path bundledPlugin(const std::string& name);

/// The hooks the tests treat as the catalog.
bool knownHook(const std::string& hook);

/// A fresh directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Copies `from` to `to` atomically (copy beside, then rename), as an operator should.
void installFile(const std::filesystem::path& from, const std::filesystem::path& to);

/// A RunContext that records what the handler did; emit refuses unknown hooks.
class RecordingContext : public dispatch::RunContext {
 public:
  void update(const nlohmann::json& data) override;
  void log(const std::string& line) override;
  Status emit(const dispatch::EmittedEvent& event) override;
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

  std::vector<nlohmann::json> updates() const;
  std::vector<std::string> logs() const;
  std::vector<dispatch::EmittedEvent> emitted() const;
  std::vector<nlohmann::json> deferrals() const;

 private:
  mutable std::mutex mutex_;
  std::vector<nlohmann::json> updates_;
  std::vector<std::string> logs_;
  std::vector<dispatch::EmittedEvent> emitted_;
  std::vector<nlohmann::json> deferrals_;
};

/// A request for "<plugin>/<handler>" with recognisable job fields.
dispatch::RunRequest request(const std::string& plugin, nlohmann::json payload = nlohmann::json::object(),
                             nlohmann::json config = nlohmann::json::object());

}  // namespace hookhost::plugins::test
