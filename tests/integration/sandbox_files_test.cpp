// A checkout under a directory the sandbox user cannot search (root's 0700 home): the
// sandbox's files (the python runner, the plugin worker, the plugin copies) must still reach
// it. The host's install layout (bin, share/hookhost, lib/hookhost) is copied under a fresh
// 0700 directory and run from there, as root with sandbox.user nobody.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <memory>
#include <string>

#include "host_fixture.hpp"
#include "notify_host_fixture.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;

class SandboxFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: the host drops to sandbox.user nobody";
    struct stat info {};
    ASSERT_EQ(::stat(dir_.path().c_str(), &info), 0);
    ASSERT_EQ(info.st_mode & 0777, 0700u) << "the checkout must sit under a directory others cannot search";
    installLayout(checkout());
  }

  void TearDown() override {
    if (host_ && host_->running()) EXPECT_EQ(host_->stop(), 0) << host_->log();
  }

  fs::path checkout() const { return dir_.path() / "hookhost" / "build-run"; }

  // What `cmake --install` (or the build tree) lays out: the host finds everything from
  // <bin>/.. (bundledPath).
  static void installLayout(const fs::path& to) {
    fs::create_directories(to / "bin");
    fs::create_directories(to / "lib/hookhost");
    for (const char* binary : {"hookhost", "hookhost-plugin-worker"}) {
      fs::copy_file(buildDir() / "bin" / binary, to / "bin" / binary);
    }
    fs::copy(buildDir() / "share", to / "share", fs::copy_options::recursive);
    fs::copy(buildDir() / "lib/hookhost/plugins", to / "lib/hookhost/plugins", fs::copy_options::recursive);
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
};

TEST_F(SandboxFilesTest, PythonAndIsolatedPluginHandlersSucceedFromATreeUnderA0700Directory) {
  host_ = std::make_unique<HostProcess>(checkout() / "var",
                                        std::map<std::string, std::string>{{"HOOKHOST_SANDBOX_USER", "nobody"}});
  host_->setBinary(checkout() / "bin/hookhost");
  const std::string admin = host_->addUser("root", "admin");
  const std::string alice = host_->addUser("alice", "user");
  const std::string ingest = host_->addUser("ingest", "publisher");
  ASSERT_FALSE(ingest.empty());
  ASSERT_TRUE(host_->start()) << host_->log();

  nlohmann::json python = {
      {"name", "sets"},
      {"hook", "ctingress.on_complete"},
      {"runtime", "python"},
      {"code", handlerPickle(dir_.path(), "def sets(ctx, DataSets, **kwargs):\n    return '%d sets' % len(DataSets)\n",
                             "sets")},
      {"notify_on_success", ""},
      {"notify_on_failure", ""},
      {"max_attempts", 1}};
  auto registered = host_->request("POST", "/v1/handlers", python, alice);
  ASSERT_EQ(registered.status, 201) << registered.raw;
  auto plugin = summaryHandler("summary", "", "");
  plugin.erase("tags");
  registered = host_->request("POST", "/v1/handlers", plugin, alice);
  ASSERT_EQ(registered.status, 201) << registered.raw;

  auto fired = host_->request("POST", "/v1/events?wait=30",
                              {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}}, ingest);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  ASSERT_EQ(fired.body["jobs"].size(), 2u) << fired.raw;
  for (const auto& job : fired.body["jobs"]) {
    EXPECT_EQ(job["state"], "SUCCEEDED") << host_->get("/v1/jobs/" + std::to_string(job["job_id"].get<long>()), admin).raw;
  }

  // The copies live in a root-owned 0755 directory of this host's own, gone at stop.
  std::smatch found;
  const std::string log = host_->log();
  ASSERT_TRUE(std::regex_search(log, found, std::regex(R"(sandbox files in (\S+))"))) << log;
  const fs::path runtime = found[1].str();
  EXPECT_EQ(runtime.parent_path(), "/run/hookhost");
  struct stat info {};
  ASSERT_EQ(::stat(runtime.c_str(), &info), 0) << runtime;
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_mode & 0777, 0755u);
  EXPECT_TRUE(fs::exists(runtime / "python/hookhost_runner.py"));
  EXPECT_EQ(host_->stop(), 0) << host_->log();
  EXPECT_FALSE(fs::exists(runtime)) << runtime << " outlived the host";
}

}  // namespace
}  // namespace hookhost::testing
