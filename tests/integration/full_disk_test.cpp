// The host on a full disk (issue 18): the data directory on a small tmpfs. Fires answer
// 507 storage_full; the disk state is logged once per change; a job that ends while the
// disk is full does not hold the stop past its bound, and the next start, with space
// freed, starts and rescues it. Mounting needs root: elsewhere the tests skip.
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "host_fixture.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs for the data directory needs root";
    ASSERT_TRUE(fs::exists(integrationFixture("fixture_nap"))) << "build the integration_test target";
    disk_ = dir_.path() / "disk";
    fs::create_directories(disk_);
    ASSERT_EQ(::mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=24m"), 0) << std::strerror(errno);
    mounted_ = true;
    fs::create_directories(dir_.path() / "plugins");
    installFile(integrationFixture("fixture_nap"), dir_.path() / "plugins" / "fixture_nap.so");
    // The logs stay off the small disk, so they tell what happened on it.
    host_ = std::make_unique<HostProcess>(dir_.path() / "logs", std::map<std::string, std::string>{
        {"HOOKHOST_DATA_DIR", (disk_ / "data").string()},
        {"HOOKHOST_PLUGINS_DIR", (dir_.path() / "plugins").string()},
        {"HOOKHOST_PLUGINS_TRUSTED", "fixture_nap"},
        {"HOOKHOST_DISPATCH_WORKERS", "2"},
        {"HOOKHOST_DISPATCH_DRAIN_TIMEOUT", "2s"}});
    key_ = host_->addUser("root", "admin");
    ASSERT_TRUE(host_->start()) << host_->log();
  }

  void TearDown() override {
    if (host_ && host_->running()) host_->stop();
    host_.reset();
    if (mounted_) EXPECT_EQ(::umount2(disk_.c_str(), MNT_DETACH), 0) << std::strerror(errno);
  }

  // Writes a file until the disk refuses more (bounded by the disk's size).
  void fillDisk() {
    std::ofstream filler(disk_ / "filler", std::ios::binary);
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 24 * 16 + 16 && filler; ++i) {
      filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      filler.flush();
    }
  }
  void freeDisk() { fs::remove(disk_ / "filler"); }

  void registerNap(int ms) {
    nlohmann::json body = {{"name", "nap"}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"},
                           {"plugin", "fixture_nap/nap"}, {"config", {{"ms", ms}}}, {"max_attempts", 1},
                           {"notify_on_success", ""}, {"notify_on_failure", ""}};
    auto reply = host_->request("POST", "/v1/handlers", body, key_);
    ASSERT_EQ(reply.status, 201) << reply.raw;
  }

  HttpReply fire() {
    return host_->request("POST", "/v1/events", {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}}, key_);
  }

  // Fires until one is refused for the full disk (the store may have had pages to spare);
  // every answer must be a 202 or that 507.
  HttpReply fireUntilFull() {
    HttpReply reply;
    for (int i = 0; i < 300; ++i) {
      reply = fire();
      if (reply.status != 202) break;
    }
    return reply;
  }

  nlohmann::json job(int id) { return host_->get("/v1/jobs/" + std::to_string(id), key_).body; }

  TempDir dir_;
  fs::path disk_;
  bool mounted_ = false;
  std::unique_ptr<HostProcess> host_;
  std::string key_;
};

TEST_F(FullDisk, FiresAnswer507StorageFullAndTheStateIsLoggedOncePerChange) {
  registerNap(10);
  fillDisk();
  auto refused = fireUntilFull();
  ASSERT_EQ(refused.status, 507) << refused.raw << "\n" << host_->log();
  EXPECT_EQ(refused.body["error"]["code"], "storage_full") << refused.raw;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fire().status, 507);
  EXPECT_EQ(occurrences(host_->log(), "disk full:"), 1u) << host_->log();

  freeDisk();
  EXPECT_EQ(fire().status, 202);
  EXPECT_TRUE(eventually([&] { return occurrences(host_->log(), "disk writable again") == 1; },
                         std::chrono::seconds(5)))
      << host_->log();
  EXPECT_EQ(occurrences(host_->log(), "disk full:"), 1u) << host_->log();
}

TEST_F(FullDisk, AJobEndingOnAFullDiskDoesNotHoldTheStopAndIsRescuedOnceSpaceIsFree) {
  registerNap(3000);
  auto fired = fire();
  ASSERT_EQ(fired.status, 202) << fired.raw;
  const int jobId = fired.body["jobs"][0]["job_id"];
  ASSERT_TRUE(eventually([&] { return job(jobId)["state"] == "RUNNING"; }, std::chrono::seconds(10)));
  fillDisk();
  ASSERT_EQ(fireUntilFull().status, 507) << host_->log();
  // The nap ends; recording its end fails for want of space, and is retried.
  ASSERT_TRUE(eventually([&] { return host_->log().find("recording the end of") != std::string::npos; },
                         std::chrono::seconds(10)))
      << host_->log();

  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(host_->stop(std::chrono::seconds(20)), 75) << host_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(10)) << host_->log();
  EXPECT_NE(host_->log().find("(ids " + std::to_string(jobId) + ")"), std::string::npos) << host_->log();

  freeDisk();
  ASSERT_TRUE(host_->start()) << host_->log();
  EXPECT_TRUE(eventually([&] { return job(jobId)["state"] == "SUCCEEDED"; }, std::chrono::seconds(30)))
      << job(jobId).dump() << "\n" << host_->log();
  EXPECT_EQ(fire().status, 202);
}

}  // namespace
}  // namespace hookhost::testing
