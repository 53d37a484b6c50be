// Durability under faults with the real binary: kill -9 mid-load and SIGTERM mid-load
// (issue 3). Jobs run through the bundled comtrade_summary plugin, trusted to run
// in-process, so thousands of jobs finish in seconds.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

class CrashRecovery : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override {
    return {{"HOOKHOST_PLUGINS_TRUSTED", "comtrade_summary"}, {"HOOKHOST_DISPATCH_LEASE", "3s"}};
  }

  void SetUp() override {
    HostTest::SetUp();
    for (const char* name : {"summary-a", "summary-b"}) {
      nlohmann::json handler = {{"name", name},           {"hook", "ctingress.on_complete"},
                                {"runtime", "plugin"},    {"plugin", "comtrade_summary/summary"},
                                {"notify_on_success", ""}, {"max_attempts", 1}};
      ASSERT_EQ(host_->request("POST", "/v1/handlers", handler, userKey_).status, 201);
    }
  }

  // Fires from several threads until `stopAt` fires were accepted or `total` were tried;
  // returns the ids of the events that got a 2xx. Fires after the host died just fail.
  std::set<int> fireConcurrently(int total, int stopAt, const std::function<void()>& atStop) {
    std::set<int> accepted;
    std::mutex mutex;
    std::atomic<int> next{0};
    std::atomic<bool> stopped{false};
    nlohmann::json event = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}};
    std::string body = event.dump();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        while (next++ < total) {
          HttpReply reply;
          try {
            reply = httpRequest(host_->port(), "POST", "/v1/events", body, publisherKey_);
          } catch (const std::exception&) {
            continue;  // the host is down: this fire was never accepted
          }
          if (reply.status != 202) continue;
          std::lock_guard lock(mutex);
          accepted.insert(reply.body["event_id"].get<int>());
          if (static_cast<int>(accepted.size()) == stopAt && !stopped.exchange(true)) atStop();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    return accepted;
  }

  std::vector<nlohmann::json> allJobs() { return hookhost::testing::allJobs(*host_, adminKey_); }

  bool everyJobTerminal() {
    for (const auto& job : allJobs()) {
      std::string state = job["state"];
      if (state == "QUEUED" || state == "RUNNING") return false;
    }
    return true;
  }
};

TEST_F(CrashRecovery, KillNineMidRunLosesNoAcceptedJob) {
  auto accepted = fireConcurrently(3000, 1200, [&] { host_->kill(); });
  ASSERT_GE(accepted.size(), 1200u);
  ASSERT_TRUE(host_->start()) << host_->log();
  ASSERT_TRUE(eventually([&] { return everyJobTerminal(); }, std::chrono::seconds(120)));

  auto jobs = allJobs();
  std::map<int, int> jobsPerEvent;
  int retried = 0;
  for (const auto& job : jobs) {
    ++jobsPerEvent[job["event_id"].get<int>()];
    EXPECT_EQ(job["state"], "SUCCEEDED") << job.dump();
    if (job["attempt"].get<int>() > 1) {
      ++retried;
      // Only an attempt the crash interrupted runs again, and its history says so.
      auto detail = host_->get("/v1/jobs/" + std::to_string(job["job_id"].get<int>()), adminKey_).body;
      bool rescued = false;
      for (const auto& entry : detail["history"]) {
        rescued = rescued || (entry["kind"] == "RETRY" &&
                              entry["data"]["reason"].get<std::string>().find("expired") != std::string::npos);
      }
      EXPECT_TRUE(rescued) << detail.dump();
    }
  }
  for (int eventId : accepted) EXPECT_EQ(jobsPerEvent[eventId], 2) << "event " << eventId;
  // In flight at the crash: at most what the dispatcher had claimed (workers, plus a batch).
  EXPECT_LE(retried, 64);
}

TEST_F(CrashRecovery, SigtermDrainsExitsZeroAndLosesNothing) {
  std::atomic<int> exitCode{-1};
  auto accepted = fireConcurrently(1500, 600, [&] { exitCode = host_->stop(); });
  ASSERT_GE(accepted.size(), 600u);
  EXPECT_EQ(exitCode, 0) << host_->log();
  EXPECT_NE(host_->log().find("stopped"), std::string::npos);
  ASSERT_TRUE(host_->start()) << host_->log();
  ASSERT_TRUE(eventually([&] { return everyJobTerminal(); }, std::chrono::seconds(120)));
  std::map<int, int> jobsPerEvent;
  for (const auto& job : allJobs()) {
    ++jobsPerEvent[job["event_id"].get<int>()];
    EXPECT_EQ(job["state"], "SUCCEEDED");
    EXPECT_EQ(job["attempt"], 1) << "a graceful stop interrupts no attempt";
  }
  for (int eventId : accepted) EXPECT_EQ(jobsPerEvent[eventId], 2) << "event " << eventId;
}

}  // namespace
}  // namespace hookhost::testing
