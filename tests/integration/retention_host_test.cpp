// Retention through the real host (issue 18, "The store grows forever"): with a short
// `data.retention` the finished jobs, their events, their mail rows and the spooled .eml
// files go away and /metrics counts them; with 0 everything stays; a bad value stops start-up.
#include "notify_host_fixture.hpp"

namespace hookhost::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ShortRetention : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return {{"HOOKHOST_DATA_RETENTION", "1s"}}; }
};

TEST_F(ShortRetention, FinishedJobsTheirEventsAndSpooledMailGoAndAreCounted) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  std::vector<int> jobs;
  for (int i = 0; i < 3; ++i) {
    auto fired = fire("archive-summary");
    ASSERT_EQ(fired.size(), 1u);
    jobs.push_back(fired[0]);
  }
  // The rows may be gone before a poll sees them finished: the counters are what is awaited.
  ASSERT_TRUE(eventually(
      [&] {
        return metric("hookhost_pruned_jobs_total") == 3 && metric("hookhost_pruned_mail_files_total") == 3 &&
               metric("hookhost_pruned_notifications_total") == 3;
      },
      seconds(60)))
      << host_->get("/metrics", "").raw << host_->log();
  EXPECT_EQ(metric("hookhost_notifications_sent_total"), 3) << "each job's mail was spooled before it went";
  EXPECT_EQ(metric("hookhost_pruned_events_total"), 3);
  for (int id : jobs) EXPECT_EQ(host_->get("/v1/jobs/" + std::to_string(id), adminKey_).status, 404);
  EXPECT_TRUE(allJobs(*host_, adminKey_).empty());
  EXPECT_TRUE(emlFiles(host_->dataDir() / "mail").empty());
  auto events = host_->get("/v1/events/1", adminKey_);
  EXPECT_EQ(events.status, 404) << events.raw;
}

class NoRetention : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return {{"HOOKHOST_DATA_RETENTION", "0"}}; }
};

TEST_F(NoRetention, ZeroKeepsEverything) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "sent"); }, seconds(30))) << host_->log();
  // A 1 s retention prunes within its second plus a 500 ms pass (the test above): nothing
  // happening is awaited for three times that, no longer.
  EXPECT_FALSE(eventually([&] { return metric("hookhost_pruned_jobs_total") != 0; }, milliseconds(4500)));
  EXPECT_EQ(metric("hookhost_pruned_jobs_total"), 0);
  EXPECT_EQ(metric("hookhost_pruned_mail_files_total"), 0);
  EXPECT_EQ(job(fired[0])["state"], "SUCCEEDED");
  EXPECT_EQ(emlFiles(host_->dataDir() / "mail").size(), 1u);
}

TEST(Startup, ABadRetentionIsRefusedWithTheDurationsItTakes) {
  TempDir dir;
  HostProcess host(dir.path() / "data", {{"HOOKHOST_DATA_RETENTION", "a month"}});
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("HOOKHOST_DATA_RETENTION: 'data.retention' must be a duration such as \"30d\" or "
                            "\"12h\" (0 keeps everything), got \"a month\""),
            std::string::npos)
      << host.log();
}

}  // namespace
}  // namespace hookhost::testing
