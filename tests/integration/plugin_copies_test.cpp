// Plugin copies in <data.dir>/plugins: one per loaded plugin, however often the host starts
// or dies, and a replaced version's copy goes once nothing uses it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "plugin_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Every library copy below the data dir's plugins folder, in whichever run's folder.
int copiesIn(const fs::path& dir) {
  int count = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so") ++count;
  }
  return count;
}

class PluginCopies : public PluginHost {
 protected:
  void SetUp() override {
    PluginHost::SetUp();
    // The sandbox user must reach the data dir, else the copies go to the temp dir.
    fs::permissions(dir_.path(), fs::perms(0755));
    install(fixture("fixture_ok_v1"), "fixture_ok.so");
    install(bundled("comtrade_summary"), "comtrade_summary.so");
  }
  fs::path copies() const { return dir_.path() / "data" / "plugins"; }
};

TEST_F(PluginCopies, StayOnePerPluginAcrossStartsAndCrashes) {
  startHost();
  for (int start = 1; start <= 4; ++start) {
    EXPECT_EQ(copiesIn(copies()), 2) << "after start " << start;
    // The worst case: a host that dies leaves its copies for the next start to remove.
    host_->kill();
    ASSERT_TRUE(host_->start()) << host_->log();
  }
  EXPECT_EQ(copiesIn(copies()), 2);
  EXPECT_EQ(host_->stop(), 0) << host_->log();
  EXPECT_EQ(copiesIn(copies()), 0) << "a stopped host keeps no copies";
}

TEST_F(PluginCopies, AReplacedVersionsCopyGoesWhenNothingUsesIt) {
  startHost();
  registerPlugin("echo", "test.hook", "fixture_ok/echo");
  auto jobs = fireAndWait("test.hook", {{"n", 1}});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["state"], "SUCCEEDED") << jobs;
  ASSERT_EQ(copiesIn(copies()), 2);

  install(fixture("fixture_ok_v2"), "fixture_ok.so");
  ASSERT_TRUE(pluginsShow([](const json& p) { return findPlugin(p, "fixture_ok")["version"] == "2.0"; })) << plugins();
  EXPECT_TRUE(eventually([&] { return copiesIn(copies()) == 2; }, std::chrono::seconds(10))) << copiesIn(copies());
  // The isolated worker of the new version starts from its own copy.
  jobs = fireAndWait("test.hook", {{"n", 2}});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["state"], "SUCCEEDED") << jobs;
  EXPECT_EQ(jobs[0]["result"].get<std::string>().rfind("v2 ", 0), 0u) << jobs;
}

}  // namespace
}  // namespace hookhost::testing
