#include "test_support.hpp"

#include <cstdlib>
#include <stdexcept>

namespace hookhost::plugins::test {

namespace fs = std::filesystem;

fs::path fixture(const std::string& name) { return fs::path(HH_TEST_FIXTURE_DIR) / (name + ".so"); }

fs::path bundledPlugin(const std::string& name) { return fs::path(HH_TEST_PLUGIN_DIR) / (name + ".so"); }

bool knownHook(const std::string& hook) { return hook == "test.hook" || hook == "ctingress.on_complete"; }

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "hh-plugins-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void installFile(const fs::path& from, const fs::path& to) {
  fs::path staging = to.parent_path() / ("." + to.filename().string() + ".tmp");
  fs::copy_file(from, staging, fs::copy_options::overwrite_existing);
  fs::rename(staging, to);
}

dispatch::RunRequest request(const std::string& plugin, nlohmann::json payload, nlohmann::json config) {
  dispatch::RunRequest r;
  r.jobId = 7;
  r.eventId = 3;
  r.handlerId = 11;
  r.handlerVersion = 2;
  r.attempt = 1;
  r.handlerName = "registered-name";
  r.hook = "test.hook";
  r.user = "alice";
  r.runtime = Runtime::Plugin;
  r.plugin = plugin;
  r.payload = std::move(payload);
  r.config = std::move(config);
  return r;
}

}  // namespace hookhost::plugins::test
