// Notification emails through the real host while SMTP is down (issue 6): every mail arrives
// once when it comes back, also when the host was killed between a job's end and its mail.
#include <set>

#include "notify_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class SmtpDownNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(down_.port()); }

  /// Ends the outage: the sink takes the port the host has been trying.
  std::unique_ptr<SmtpSink> bringSmtpUp() {
    down_.release();
    auto sink = std::make_unique<SmtpSink>(dir_.path() / "sink", down_.port());
    EXPECT_EQ(sink->port(), down_.port());
    return sink;
  }

  RefusingPort down_;
};

TEST_F(SmtpDownNotify, EveryEmailArrivesOnceWhenSmtpComesBack) {
  constexpr int kJobs = 100;
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  std::set<int> jobs;
  for (int i = 0; i < kJobs; ++i) {
    for (int id : fire("archive-summary")) jobs.insert(id);
  }
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(kJobs));
  // Every job ended and its email failed at least once while the server was down.
  for (int id : jobs) {
    ASSERT_TRUE(eventually([&] { return notifiedAs(id, "retry"); }, seconds(60))) << "job " << id << host_->log();
    ASSERT_EQ(job(id)["state"], "SUCCEEDED");
  }

  auto sink = bringSmtpUp();
  ASSERT_TRUE(eventually([&] { return metric("hookhost_notifications_sent_total") == kJobs; }, seconds(60)))
      << host_->log();
  std::map<std::string, int> perJob;
  std::set<std::string> messageIds;
  for (const auto& file : sink->messages()) {
    std::string message = slurp(file);
    ++perJob[rawHeader(message, "X-Hookhost-Job")];
    messageIds.insert(rawHeader(message, "Message-ID"));
  }
  EXPECT_EQ(perJob.size(), static_cast<std::size_t>(kJobs));
  for (int id : jobs) EXPECT_EQ(perJob[std::to_string(id)], 1) << "job " << id;
  EXPECT_EQ(messageIds.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(sink->deliveredTo().size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 0);
}

class CrashBeforeEmail : public SmtpDownNotify {
 protected:
  // A fixed two seconds between attempts: the kill lands while the row waits, not mid-send
  // (a send cut by a crash would hold its row for the whole claim lease).
  std::map<std::string, std::string> mailEnvironment() override {
    auto env = smtpAt(down_.port());
    env["HOOKHOST_MAIL_RETRY_MIN"] = env["HOOKHOST_MAIL_RETRY_MAX"] = "2s";
    return env;
  }
};

TEST_F(CrashBeforeEmail, KillNineBetweenJobEndAndEmailStillSendsItOnce) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  int id = fired[0];
  ASSERT_TRUE(eventually([&] { return notifiedAs(id, "retry"); }, seconds(30))) << host_->log();
  host_->kill();

  auto sink = bringSmtpUp();
  ASSERT_TRUE(host_->start()) << host_->log();
  ASSERT_TRUE(eventually([&] { return notifiedAs(id, "sent"); }, seconds(30))) << host_->log();
  auto files = sink->messages();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(rawHeader(slurp(files[0]), "X-Hookhost-Job"), std::to_string(id));
  EXPECT_EQ(job(id)["state"], "SUCCEEDED");
}

}  // namespace
}  // namespace hookhost::testing
