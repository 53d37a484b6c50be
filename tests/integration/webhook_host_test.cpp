// Signed webhooks through the real host (issue 19): a real HTTP receiver on loopback,
// signatures checked by python's hmac (tests/fixtures/verify_webhook.py, not our code),
// the retry rules (500 retried, 410 final), a receiver that is down and then up, the SSRF
// refusal of loopback without an allow entry, and a receiver that never answers while a
// mail goes out.
#include "http_receiver.hpp"
#include "notify_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

const fs::path kVerifier = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "verify_webhook.py";

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class WebhookHost : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override {
    auto env = mail();
    env["HOOKHOST_MAIL_RETRY_MIN"] = "200ms";
    env["HOOKHOST_MAIL_RETRY_MAX"] = "1s";
    if (allowLoopback()) env["HOOKHOST_NOTIFY_WEBHOOK_ALLOW"] = "127.0.0.1";
    return env;
  }
  virtual std::map<std::string, std::string> mail() { return {}; }  // spooled
  virtual bool allowLoopback() { return true; }

  /// Registers `handler` and returns its answer (201 expected).
  nlohmann::json registered(const nlohmann::json& handler) {
    auto reply = host_->request("POST", "/v1/handlers", handler, userKey_);
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.body;
  }

  /// Whether python's hmac accepts what the receiver saw, signed with `secret`.
  bool signatureValid(const HttpReceiver::Seen& seen, const std::string& secret) {
    fs::path bodyFile = dir_.path() / "body.json";
    std::ofstream(bodyFile, std::ios::binary) << seen.body;
    bool ok = false;
    std::string out = capture("/usr/bin/python3 " + quoted(kVerifier.string()) + " " + quoted(secret) + " " +
                                  quoted(seen.headers.at("webhook-id")) + " " +
                                  quoted(seen.headers.at("webhook-timestamp")) + " " +
                                  quoted(seen.headers.at("webhook-signature")) + " " + quoted(bodyFile.string()),
                              &ok);
    return ok && out == "valid\n";
  }

  nlohmann::json strictHandler(const std::string& onFailure) {
    return {{"name", "strict"},         {"hook", kHook},
            {"runtime", "python"},      {"code", raisingHandlerPickle(dir_.path())},
            {"notify_on_success", ""},  {"notify_on_failure", onFailure},
            {"tags", {"strict"}},       {"max_attempts", 1}};
  }

  HttpReceiver receiver_;
};

TEST_F(WebhookHost, SuccessAndFailureArePostedSignedAsStandardWebhooks) {
  auto summary = registered(summaryHandler("archive-summary", receiver_.url("/hooks/ok"), ""));
  ASSERT_TRUE(summary.contains("webhook_secret")) << summary.dump();
  const std::string secret = summary["webhook_secret"];
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  // Replaced: the secret is kept, and not shown again.
  auto replaced = host_->request("POST", "/v1/handlers", summaryHandler("archive-summary", receiver_.url("/hooks/ok"), ""), userKey_);
  ASSERT_EQ(replaced.status, 200) << replaced.raw;
  EXPECT_FALSE(replaced.body.contains("webhook_secret")) << replaced.raw;
  EXPECT_FALSE(host_->get("/v1/handlers/" + std::to_string(summary["id"].get<int>()), userKey_).body.contains("webhook_secret"));
  auto strict = registered(strictHandler(receiver_.url("/hooks/failed")));
  const std::string strictSecret = strict["webhook_secret"];
  EXPECT_NE(strictSecret, secret);

  auto succeeded = fire("archive-summary");
  auto failed = fire("strict");
  ASSERT_EQ(succeeded.size(), 1u);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(succeeded[0], "sent") && notifiedAs(failed[0], "sent"); }, seconds(60)))
      << job(failed[0]).dump() << host_->log();

  auto seen = receiver_.seen();
  ASSERT_EQ(seen.size(), 2u);
  std::map<std::string, HttpReceiver::Seen> byPath;
  for (const auto& one : seen) byPath[one.uri] = one;
  ASSERT_EQ(byPath.count("/hooks/ok"), 1u);
  ASSERT_EQ(byPath.count("/hooks/failed"), 1u);
  for (auto [path, jobId, key, type] : {std::tuple{"/hooks/ok", succeeded[0], secret, "job.succeeded"},
                                        std::tuple{"/hooks/failed", failed[0], strictSecret, "job.failed"}}) {
    const auto& one = byPath[path];
    EXPECT_EQ(one.method, "POST");
    EXPECT_EQ(one.contentType, "application/json");
    EXPECT_EQ(one.headers.at("host"), "127.0.0.1:" + receiver_.url("").substr(receiver_.url("").rfind(':') + 1));
    EXPECT_TRUE(signatureValid(one, key)) << path << " " << one.headers.at("webhook-signature");
    EXPECT_FALSE(signatureValid(one, key == secret ? strictSecret : secret)) << "a wrong secret must not verify";
    auto entries = notifyEntries(jobId);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(one.headers.at("webhook-id"), "msg_" + std::to_string(entries[0]["notification_id"].get<int>()));
    EXPECT_EQ(entries[0]["http_status"], 200) << entries[0].dump();
    EXPECT_EQ(entries[0]["channel"], "webhook");
    EXPECT_NEAR(std::stoll(one.headers.at("webhook-timestamp")), std::time(nullptr), 120);

    auto body = nlohmann::json::parse(one.body);
    EXPECT_EQ(body["type"], type);
    auto current = job(jobId);
    current.erase("history");
    current.erase("output");
    EXPECT_EQ(body["job"], current) << "the job as GET /v1/jobs/{id} shows it, without history";
    EXPECT_EQ(body["handler"]["id"], current["handler_id"]);
    EXPECT_EQ(body["handler"]["name"], current["handler"]);
    EXPECT_EQ(body["handler"]["hook"], kHook);
    EXPECT_EQ(body["handler"]["version"], current["handler_version"]);
  }
  EXPECT_NE(nlohmann::json::parse(byPath["/hooks/failed"].body)["job"]["error"].get<std::string>().find("ValueError"),
            std::string::npos);
  EXPECT_EQ(metric("hookhost_notifications_sent_total", "webhook"), 2);
  EXPECT_EQ(metric("hookhost_notifications_sent_total", "mail"), 0);
}

TEST_F(WebhookHost, BadUrlsAreRefusedAtRegistrationAndChangeNothing) {
  for (const std::string& url : std::vector<std::string>{"ftp://example.com/x", "http://user:secret@example.com/hook", "http://",
                                "https://example.com/a b", "http://example.com/#frag",
                                "https://example.com/" + std::string(2049, 'a')}) {
    auto reply = host_->request("POST", "/v1/handlers", summaryHandler("bad", "", url), userKey_);
    EXPECT_EQ(reply.status, 422) << url << ": " << reply.raw;
    EXPECT_EQ(reply.body["error"]["code"], "invalid_notify_on_failure") << reply.raw;
  }
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
  auto ok = host_->request("POST", "/v1/handlers", summaryHandler("upper", "HTTPS://Example.com/in", ""), userKey_);
  ASSERT_EQ(ok.status, 201) << ok.raw;
  EXPECT_EQ(ok.body["notify_on_success"], "https://Example.com/in") << "the scheme is stored in lower case";
  // An email-only handler gets no secret; its first URL gives it one.
  auto mailOnly = host_->request("POST", "/v1/handlers", summaryHandler("later", "ops@example.com", ""), userKey_);
  ASSERT_EQ(mailOnly.status, 201);
  EXPECT_FALSE(mailOnly.body.contains("webhook_secret"));
  auto withUrl = host_->request("POST", "/v1/handlers", summaryHandler("later", "ops@example.com", receiver_.url()), userKey_);
  ASSERT_EQ(withUrl.status, 200);
  EXPECT_EQ(withUrl.body.value("webhook_secret", "").rfind("whsec_", 0), 0u) << withUrl.raw;
}

TEST_F(WebhookHost, A500IsRetriedUntilDeliveredWithTheSameIdAndA410IsFinal) {
  receiver_.answer(500, "busy");
  registered(summaryHandler("flaky", receiver_.url("/flaky"), ""));
  auto flaky = fire("flaky");
  ASSERT_EQ(flaky.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(flaky[0], "retry"); }, seconds(30))) << host_->log();
  receiver_.answer(200, "ok");
  ASSERT_TRUE(eventually([&] { return notifiedAs(flaky[0], "sent"); }, seconds(30))) << host_->log();
  auto entries = notifyEntries(flaky[0]);
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries.front()["http_status"], 500);
  EXPECT_NE(entries.front()["error"].get<std::string>().find("HTTP 500"), std::string::npos) << entries.front().dump();
  EXPECT_EQ(entries.back()["http_status"], 200);
  auto seen = receiver_.seen();
  ASSERT_EQ(seen.size(), entries.size()) << "one request per attempt";
  for (const auto& one : seen) EXPECT_EQ(one.headers.at("webhook-id"), seen.front().headers.at("webhook-id"));

  receiver_.answer(410, "gone");
  registered(summaryHandler("gone", receiver_.url("/gone"), ""));
  auto gone = fire("gone");
  ASSERT_EQ(gone.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(gone[0], "failed"); }, seconds(30))) << host_->log();
  const std::size_t before = receiver_.seen().size();
  // A retry would come after retry_min (200 ms, at most 1 s): absence is awaited that long.
  EXPECT_FALSE(eventually([&] { return receiver_.seen().size() > before; }, milliseconds(1500)));
  auto goneEntries = notifyEntries(gone[0]);
  ASSERT_EQ(goneEntries.size(), 1u);
  EXPECT_EQ(goneEntries[0]["http_status"], 410);
  EXPECT_EQ(metric("hookhost_notifications_failed_total", "webhook"), 1);
  EXPECT_GE(metric("hookhost_notifications_retried_total", "webhook"), 1);
}

TEST_F(WebhookHost, AReceiverDownThenUpGetsTheWebhookOnce) {
  RefusingPort down;
  ASSERT_NE(down.port(), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(down.port()) + "/late";
  registered(summaryHandler("late", url, ""));
  auto fired = fire("late");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "retry"); }, seconds(30))) << host_->log();
  down.release();
  HttpReceiver up(down.port());
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "sent"); }, seconds(30))) << host_->log();
  auto seen = up.seen();
  ASSERT_EQ(seen.size(), 1u);
  auto entries = notifyEntries(fired[0]);
  EXPECT_EQ(seen[0].headers.at("webhook-id"), "msg_" + std::to_string(entries.back()["notification_id"].get<int>()));
  EXPECT_EQ(entries.front().count("http_status"), 0u) << "no answer, no status: " << entries.front().dump();
}

class WebhookWithoutAllow : public WebhookHost {
 protected:
  bool allowLoopback() override { return false; }
};

TEST_F(WebhookWithoutAllow, ALoopbackDestinationIsRefusedAndNeverConnected) {
  registered(summaryHandler("inside", receiver_.url("/inside"), ""));
  auto fired = fire("inside");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "failed"); }, seconds(30))) << host_->log();
  auto entries = notifyEntries(fired[0]);
  ASSERT_EQ(entries.size(), 1u) << "refused is final";
  EXPECT_NE(entries[0]["error"].get<std::string>().find("127.0.0.1 is a loopback address"), std::string::npos)
      << entries[0].dump();
  EXPECT_TRUE(receiver_.seen().empty());
  EXPECT_EQ(metric("hookhost_notifications_failed_total", "webhook"), 1);
}

class WebhookBesideSmtp : public WebhookHost {
 protected:
  std::map<std::string, std::string> mail() override { return smtpAt(sink_.port()); }
  SmtpSink sink_{dir_.path() / "sink"};
};

TEST_F(WebhookBesideSmtp, AReceiverThatNeverAnswersDoesNotDelayMail) {
  ASSERT_NE(sink_.port(), 0);
  receiver_.hold();
  registered(summaryHandler("silent", receiver_.url("/silent"), ""));
  registered(summaryHandler("mailed", "grid-ops@example.com", ""));
  auto silent = fire("silent");
  ASSERT_EQ(silent.size(), 1u);
  ASSERT_TRUE(eventually([&] { return !receiver_.seen().empty(); }, seconds(30))) << host_->log();
  const auto mailFired = std::chrono::steady_clock::now();
  auto mailed = fire("mailed");
  ASSERT_EQ(mailed.size(), 1u);
  // The webhook's request timeout is 15 s; the mail goes out well within it.
  ASSERT_TRUE(eventually([&] { return notifiedAs(mailed[0], "sent"); }, seconds(10))) << host_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - mailFired, seconds(10));
  EXPECT_EQ(sink_.deliveredTo(), std::vector<std::string>{"grid-ops@example.com"});
  EXPECT_TRUE(notifyEntries(silent[0]).empty()) << "the webhook is still waiting for its answer";
}

}  // namespace
}  // namespace hookhost::testing
