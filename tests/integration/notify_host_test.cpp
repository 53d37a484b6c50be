// Notification emails through the real host (issue 6): success and failure mails over SMTP
// with their results, tracebacks and headers, a 550 recorded as permanent, and .eml files in
// the spool. Mail is read back with Python's email package, a MIME parser that is not ours.
#include <set>

#include "notify_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class SmtpNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(sink_.port()); }
  SmtpSink sink_{dir_.path() / "sink"};
};

TEST_F(SmtpNotify, SuccessAndFailureEmailsCarryResultTracebackAndHeaders) {
  ASSERT_NE(sink_.port(), 0);
  registerHandler(summaryHandler("quiet", "", ""));
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  nlohmann::json strict = {{"name", "strict"},         {"hook", kHook},
                           {"runtime", "python"},      {"code", raisingHandlerPickle(dir_.path())},
                           {"notify_on_success", "data-team@example.com"},
                           {"notify_on_failure", "data-oncall@example.com"},
                           {"tags", {"strict"}},       {"max_attempts", 1}};
  registerHandler(strict);

  // The addressless handler's job ends first: a notification for it would be due before the
  // others', so once theirs are sent, its absence is not a matter of waiting longer.
  auto quiet = fire("quiet");
  ASSERT_EQ(quiet.size(), 1u);
  ASSERT_TRUE(eventually([&] { return job(quiet[0])["state"] == "SUCCEEDED"; }, seconds(30)));
  auto succeeded = fire("archive-summary");
  auto failed = fire("strict");
  ASSERT_EQ(succeeded.size(), 1u);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(succeeded[0], "sent") && notifiedAs(failed[0], "sent"); },
                         seconds(60)))
      << job(failed[0]).dump() << host_->log();

  EXPECT_TRUE(notifyEntries(quiet[0]).empty());
  auto to = sink_.deliveredTo();
  std::multiset<std::string> recipients(to.begin(), to.end());
  EXPECT_EQ(recipients, (std::multiset<std::string>{"grid-ops@example.com", "data-oncall@example.com"}));
  auto files = sink_.messages();
  ASSERT_EQ(files.size(), 2u);

  std::map<std::string, nlohmann::json> byJob;
  for (const auto& file : files) {
    auto mail = parseEml(file);
    ASSERT_TRUE(mail.is_object());
    EXPECT_TRUE(mail["defects"].empty()) << mail.dump();
    byJob[mail["headers"]["X-Hookhost-Job"]] = mail;
  }
  auto success = byJob[std::to_string(succeeded[0])];
  auto successJob = job(succeeded[0]);
  ASSERT_EQ(successJob["state"], "SUCCEEDED");
  EXPECT_EQ(success["subject"], "[hookhost] archive-summary on ctingress.on_complete: succeeded (job " +
                                    std::to_string(succeeded[0]) + ")");
  EXPECT_EQ(success["headers"]["To"], "grid-ops@example.com");
  EXPECT_EQ(success["headers"]["From"], "hookhost@localhost");
  EXPECT_EQ(success["headers"]["X-Hookhost-Event"], std::to_string(successJob["event_id"].get<int>()));
  EXPECT_EQ(success["content_type"], "text/plain");
  std::string successText = success["body"];
  std::string result = successJob["result"];
  EXPECT_NE(result.find("COMTRADE archive comtrade_samples.zip"), std::string::npos) << result;
  EXPECT_NE(successText.find(result), std::string::npos) << successText;
  EXPECT_NE(successText.find("GET /v1/jobs/" + std::to_string(succeeded[0])), std::string::npos);

  auto failure = byJob[std::to_string(failed[0])];
  auto failureJob = job(failed[0]);
  ASSERT_EQ(failureJob["state"], "FAILED");
  EXPECT_EQ(failure["subject"],
            "[hookhost] strict on ctingress.on_complete: failed (job " + std::to_string(failed[0]) + ")");
  EXPECT_EQ(failure["headers"]["To"], "data-oncall@example.com");
  std::string failureText = failure["body"];
  for (const char* part : {"Traceback (most recent call last)", "in check", "ValueError: 1 bad data set(s)"}) {
    EXPECT_NE(failureText.find(part), std::string::npos) << part << " not in:\n" << failureText;
  }

  // Stable ids derived from the notification: one per message, each named by its NOTIFY entry.
  std::string successId = success["headers"]["Message-ID"], failureId = failure["headers"]["Message-ID"];
  EXPECT_NE(successId, failureId);
  for (auto [jobId, messageId] : {std::pair{succeeded[0], successId}, std::pair{failed[0], failureId}}) {
    auto entries = notifyEntries(jobId);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(messageId, "<hookhost.notification." + std::to_string(entries[0]["notification_id"].get<int>()) +
                             "@localhost>");
  }
  EXPECT_EQ(metric("hookhost_notifications_sent_total"), 2);
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 0);
}

class SmtpRejectsNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(sink_.port()); }
  SmtpSink sink_{dir_.path() / "sink", 0, {"--rcpt-code", "550"}};
};

TEST_F(SmtpRejectsNotify, A550IsRecordedAsPermanentWithoutRetries) {
  ASSERT_NE(sink_.port(), 0);
  registerHandler(summaryHandler("archive-summary", "nobody@example.com", "nobody@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "failed"); }, seconds(30))) << host_->log();
  auto entries = notifyEntries(fired[0]);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(entries[0].value("error", "").find("550"), std::string::npos) << entries[0].dump();
  // A retry would come after retry_min (200 ms, at most 1 s with jitter and doubling):
  // absence is awaited for that long, no longer.
  EXPECT_FALSE(eventually([&] { return sink_.events("rcpt").size() > 1; }, std::chrono::milliseconds(1200)));
  EXPECT_EQ(sink_.events("rcpt").size(), 1u);
  EXPECT_TRUE(sink_.messages().empty());
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 1);
  EXPECT_EQ(metric("hookhost_notifications_retried_total"), 0);
}

class SpoolNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return {}; }
};

TEST_F(SpoolNotify, WritesEmlFilesAMailClientReads) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "sent"); }, seconds(30))) << host_->log();
  auto files = emlFiles(host_->dataDir() / "mail");
  ASSERT_EQ(files.size(), 1u);
  auto mail = parseEml(files[0]);
  ASSERT_TRUE(mail.is_object());
  EXPECT_TRUE(mail["defects"].empty()) << mail.dump();
  EXPECT_TRUE(mail["crlf_only"]);
  EXPECT_LE(mail["max_line"].get<int>(), 998);
  EXPECT_EQ(mail["subject"], "[hookhost] archive-summary on ctingress.on_complete: succeeded (job " +
                                 std::to_string(fired[0]) + ")");
  EXPECT_EQ(mail["headers"]["To"], "grid-ops@example.com");
  EXPECT_EQ(mail["headers"]["X-Hookhost-Job"], std::to_string(fired[0]));
  EXPECT_EQ(mail["header_counts"]["message-id"], 1);
  EXPECT_EQ(mail["charset"], "utf-8");
  std::string body = mail["body"];
  std::string result = job(fired[0])["result"];
  EXPECT_FALSE(result.empty());
  EXPECT_NE(body.find(result), std::string::npos) << body;
  EXPECT_EQ(metric("hookhost_notifications_sent_total"), 1);
}

}  // namespace
}  // namespace hookhost::testing
