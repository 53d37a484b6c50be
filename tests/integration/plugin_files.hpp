#pragma once

// Where the build tree keeps the plugins the integration tests install into a host's
// plugins.dir, found from the hookhost binary's location so the tests need no build
// settings of their own.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "host_process.hpp"

namespace hookhost::testing {

/// The build tree the hookhost binary lives in (it is BUILD/bin/hookhost).
inline std::filesystem::path buildDir() { return hookhostBinary().parent_path().parent_path(); }
/// A fixture plugin of tests/plugins/fixtures.
inline std::filesystem::path fixture(const std::string& name) {
  return buildDir() / "tests/plugins/fixtures" / (name + ".so");
}
/// A fixture plugin of tests/integration/fixtures.
inline std::filesystem::path integrationFixture(const std::string& name) {
  return buildDir() / "tests/integration/fixtures" / (name + ".so");
}
/// A bundled plugin (plugins/).
inline std::filesystem::path bundled(const std::string& name) {
  return buildDir() / "lib/hookhost/plugins" / (name + ".so");
}

/// Copy beside, then rename: how an operator installs a plugin, so the host never sees half
/// a file.
inline void installFile(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::path staging = to.parent_path() / ("." + to.filename().string() + ".tmp");
  std::filesystem::copy_file(from, staging, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(staging, to);
}

/// Fills `dir` with the bundled hook catalog plus `test.hook` (any object payload), which
/// the handlers of the tests/plugins fixtures are for: a hooks.dir for hosts that load them.
inline void writeHooksDir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(buildDir() / "share/hookhost/hooks")) {
    std::filesystem::copy_file(entry.path(), dir / entry.path().filename());
  }
  std::ofstream(dir / "test.hook.json") << nlohmann::json{{"name", "test.hook"},
                                                          {"description", "for tests"},
                                                          {"payload_schema", {{"type", "object"}}}}
                                               .dump();
}

}  // namespace hookhost::testing
