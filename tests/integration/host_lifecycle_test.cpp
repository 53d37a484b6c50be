// The host's stop (issue 13): a drain that passes `dispatch.drain_timeout` names the jobs it
// abandons, exits non-zero after stopping the other parts, and the next start rescues them.
#include "host_fixture.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;

class HostLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(integrationFixture("fixture_nap"))) << "build the integration_test target";
    fs::create_directories(dir_.path() / "plugins");
    installFile(integrationFixture("fixture_nap"), dir_.path() / "plugins" / "fixture_nap.so");
    host_ = std::make_unique<HostProcess>(dir_.path() / "data", std::map<std::string, std::string>{
        {"HOOKHOST_PLUGINS_DIR", (dir_.path() / "plugins").string()},
        {"HOOKHOST_PLUGINS_TRUSTED", "fixture_nap"},
        {"HOOKHOST_DISPATCH_WORKERS", "2"},
        {"HOOKHOST_DISPATCH_DRAIN_TIMEOUT", "1s"}});
    adminKey_ = host_->addUser("root", "admin");
    ASSERT_TRUE(host_->start()) << host_->log();
  }

  void TearDown() override {
    if (host_->running()) EXPECT_EQ(host_->stop(), 0) << host_->log();
  }

  // A nap of `ms`, run in-process: the host's drain cannot cut it short.
  void registerNap(int ms) {
    nlohmann::json body = {{"name", "nap"}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"},
                           {"plugin", "fixture_nap/nap"}, {"config", {{"ms", ms}}}, {"max_attempts", 1},
                           {"notify_on_success", ""}, {"notify_on_failure", ""}};
    auto reply = host_->request("POST", "/v1/handlers", body, adminKey_);
    ASSERT_EQ(reply.status, 201) << reply.raw;
  }

  int fireOneJob() {
    auto reply = host_->request("POST", "/v1/events",
                                {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}}, adminKey_);
    EXPECT_EQ(reply.status, 202) << reply.raw;
    return reply.status == 202 ? reply.body["jobs"][0]["job_id"].get<int>() : 0;
  }

  nlohmann::json job(int id) { return host_->get("/v1/jobs/" + std::to_string(id), adminKey_).body; }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
  std::string adminKey_;
};

TEST_F(HostLifecycle, ADrainPastItsBoundNamesTheJobExitsNonZeroAndTheNextStartRescuesIt) {
  registerNap(4000);
  const int jobId = fireOneJob();
  ASSERT_GT(jobId, 0);
  ASSERT_TRUE(eventually([&] { return job(jobId)["state"] == "RUNNING"; }, std::chrono::seconds(10)));

  const auto stopping = std::chrono::steady_clock::now();
  const int status = host_->stop();
  const auto took = std::chrono::steady_clock::now() - stopping;
  EXPECT_EQ(status, 75) << host_->log();
  EXPECT_LT(took, std::chrono::milliseconds(3900)) << "the drain waited for the job instead of its bound";
  EXPECT_NE(host_->log().find("abandoned 1 jobs (ids " + std::to_string(jobId) + ")"), std::string::npos)
      << host_->log();
  // The notifier and the rest still stopped, in reverse start order.
  EXPECT_NE(host_->log().find("stopped with jobs abandoned"), std::string::npos) << host_->log();

  ASSERT_TRUE(host_->start()) << host_->log();
  ASSERT_TRUE(eventually([&] { return job(jobId)["state"] == "SUCCEEDED"; }, std::chrono::seconds(30)))
      << job(jobId).dump();
  auto rescued = job(jobId);
  EXPECT_EQ(rescued["attempt"], 2) << rescued.dump();
  bool retried = false;
  for (const auto& entry : rescued["history"]) retried = retried || entry["kind"] == "RETRY";
  EXPECT_TRUE(retried) << rescued.dump();
}

TEST_F(HostLifecycle, ADrainWithinItsBoundExitsZero) {
  registerNap(600);
  const int jobId = fireOneJob();
  ASSERT_TRUE(eventually([&] { return job(jobId)["state"] == "RUNNING"; }, std::chrono::seconds(10)));
  EXPECT_EQ(host_->stop(), 0) << host_->log();
  EXPECT_EQ(host_->log().find("abandoned"), std::string::npos) << host_->log();
  EXPECT_NE(host_->log().find("stopped"), std::string::npos) << host_->log();
}

}  // namespace
}  // namespace hookhost::testing
