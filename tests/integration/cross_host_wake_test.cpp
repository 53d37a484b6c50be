// Cross-host wake-ups (issue 17): an event fired to a host that runs no jobs starts on the
// other host within moments of its commit, although that host looks at the queue by itself
// only every two minutes: the fire's NOTIFY woke it.
#include "multi_host_fixture.hpp"

namespace hookhost::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using CrossHostWake = MultiHostTest;

TEST_F(CrossHostWake, AJobFiredToAHostWithoutWorkersStartsOnTheOtherLongBeforeItsPoll) {
  const std::map<std::string, std::string> slowPoll = {{"HOOKHOST_DISPATCH_POLL_INTERVAL", "120s"}};
  HostProcess* runner = startHost(defaultPlugins(), slowPoll);
  ASSERT_NE(runner, nullptr);
  auto apiOnly = slowPoll;
  apiOnly["HOOKHOST_DISPATCH_WORKERS"] = "0";
  HostProcess* firing = startHost(defaultPlugins(), apiOnly);
  ASSERT_NE(firing, nullptr);
  const std::string runnerId = idOf(*runner);
  registerPlugin(*firing, "summary", "comtrade_summary/summary");

  for (int round = 0; round < 3; ++round) {
    auto fired = fire(*firing);
    ASSERT_EQ(fired.status, 202) << fired.raw;
    const std::string id = std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>());
    HttpReply job;
    ASSERT_TRUE(eventually(
        [&] {
          job = firing->get("/v1/jobs/" + id, adminKey_);
          return job.status == 200 && job.body["state"] == "SUCCEEDED";
        },
        15s))
        << "job " << id << " did not run within 15 s: " << job.raw << logTail(*runner) << logTail(*firing);
    EXPECT_EQ(runHosts(job.body), std::vector<std::string>{runnerId}) << job.raw;
    // Measured on the database's clock: seconds at most, not the two minutes of a poll.
    EXPECT_LT(queryNumber("SELECT started_at - created_at FROM jobs WHERE id = " + id), 10'000'000) << job.raw;
  }
}

}  // namespace
}  // namespace hookhost::testing
