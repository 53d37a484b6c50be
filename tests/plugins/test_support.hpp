#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dispatch/executor.hpp"
#include "recording_run_context.hpp"

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

/// A RecordingRunContext whose emit refuses the hooks knownHook() does not know.
class RecordingContext : public hookhost::testing::RecordingRunContext {
 public:
  RecordingContext() {
    refusesHook = [](const std::string& hook) { return !knownHook(hook); };
  }
};

/// A request for "<plugin>/<handler>" with recognisable job fields.
dispatch::RunRequest request(const std::string& plugin, nlohmann::json payload = nlohmann::json::object(),
                             nlohmann::json config = nlohmann::json::object());

}  // namespace hookhost::plugins::test
