#include "notify/message_builder.hpp"

#include <gtest/gtest.h>

#include <Poco/Net/MailMessage.h>

#include "notify/spool_transport.hpp"
#include "sample.hpp"
#include "smtp_sink.hpp"

namespace hookhost::notify {
namespace {

using testing::parseEml;
using testing::sampleNotification;
using testing::TempDir;

MessageSettings settings() {
  MessageSettings s;
  s.from = "hookhost@hooks.example.org";
  return s;
}

/// Builds the message, writes it as the spool would, and reads it back with Python's parser.
nlohmann::json roundTrip(const Notification& n, const MessageSettings& s, TempDir& dir,
                         std::string* raw = nullptr) {
  MessageBuilder builder(s);
  Poco::Net::MailMessage message;
  builder.build(n, message);
  SpoolTransport spool(dir.path());
  SendResult sent = spool.send(n, message);
  EXPECT_EQ(sent.status, SendStatus::Sent) << sent.error;
  if (raw) *raw = testing::readFile(spool.pathFor(n));
  return parseEml(spool.pathFor(n));
}

std::string lf(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

TEST(MessageBuilder, SuccessMessageHasTheHeadersAndFacts) {
  TempDir dir;
  Notification n = sampleNotification(Outcome::Succeeded);
  auto eml = roundTrip(n, settings(), dir);
  ASSERT_TRUE(eml.is_object());
  EXPECT_EQ(eml["subject"], "[hookhost] trivial-handler on ctingress.on_complete: succeeded (job 42)");
  EXPECT_EQ(eml["headers"]["From"], "hookhost@hooks.example.org");
  EXPECT_EQ(eml["headers"]["To"], "success@example.com");
  EXPECT_EQ(eml["headers"]["Message-ID"], "<hookhost.notification.7@hooks.example.org>");
  EXPECT_EQ(eml["headers"]["X-Hookhost-Job"], "42");
  EXPECT_EQ(eml["headers"]["X-Hookhost-Event"], "9");
  EXPECT_EQ(eml["headers"]["MIME-Version"], "1.0");
  EXPECT_EQ(eml["headers"]["Date"], "Tue, 14 Nov 2023 22:13:21 +0000");
  EXPECT_EQ(eml["content_type"], "text/plain");
  EXPECT_EQ(eml["charset"], "utf-8");
  EXPECT_EQ(eml["defects"].size(), 0u) << eml["defects"].dump();
  EXPECT_TRUE(eml["crlf_only"].get<bool>());
  for (const char* header : {"from", "to", "subject", "date", "message-id"}) {
    EXPECT_EQ(eml["header_counts"][header], 1) << header;
  }
  std::string body = eml["body"];
  for (const char* fact : {"trivial-handler", "version 2", "ctingress.on_complete", "Event:     9",
                           "Job:       42", "Attempt:   1", "Duration:  1.235 s",
                           "GET /v1/jobs/42", "succeeded", "completed successfully"}) {
    EXPECT_NE(body.find(fact), std::string::npos) << fact << " missing from:\n" << body;
  }
  EXPECT_EQ(body.find("Traceback"), std::string::npos);
}

TEST(MessageBuilder, FailureMessageCarriesTheWholeTraceback) {
  TempDir dir;
  Notification n = sampleNotification(Outcome::Failed);
  auto eml = roundTrip(n, settings(), dir);
  EXPECT_EQ(eml["subject"], "[hookhost] trivial-handler on ctingress.on_complete: failed (job 42)");
  EXPECT_EQ(eml["headers"]["To"], "failure@example.com");
  std::string body = eml["body"];
  EXPECT_NE(body.find(n.error), std::string::npos) << body;
  EXPECT_NE(body.find("failed with"), std::string::npos);
  EXPECT_EQ(body.find("completed successfully"), std::string::npos);
}

TEST(MessageBuilder, TimedOutCountsAsFailedAndSaysSo) {
  TempDir dir;
  Notification n = sampleNotification(Outcome::TimedOut);
  n.error = "timed out after 60 s; killed with SIGKILL";
  auto eml = roundTrip(n, settings(), dir);
  EXPECT_EQ(eml["subject"], "[hookhost] trivial-handler on ctingress.on_complete: failed (job 42)");
  std::string body = eml["body"];
  EXPECT_NE(body.find("timed out"), std::string::npos);
  EXPECT_NE(body.find(n.error), std::string::npos);
}

TEST(MessageBuilder, NonAsciiSubjectAndBodyArriveIntact) {
  TempDir dir;
  Notification n = sampleNotification();
  n.handlerName = "überwachung-日本";
  n.result = "Grüße aus Köln — 日本語 ✓ €\nline two\ttabbed   \n.\nFrom the start\n";
  std::string raw;
  auto eml = roundTrip(n, settings(), dir, &raw);
  EXPECT_EQ(eml["subject"], "[hookhost] überwachung-日本 on ctingress.on_complete: succeeded (job 42)");
  EXPECT_NE(raw.find("Subject: =?UTF-8?"), std::string::npos) << "subject not RFC 2047 encoded";
  for (unsigned char c : raw) ASSERT_LT(c, 0x80) << "raw message must be 7-bit";
  EXPECT_NE(std::string(eml["body"]).find(n.result), std::string::npos) << eml["body"];
  EXPECT_LE(eml["max_line"].get<int>(), 78);
}

TEST(MessageBuilder, LongResultUnderTheCapArrivesWhole) {
  TempDir dir;
  Notification n = sampleNotification();
  std::string text;
  for (int i = 0; text.size() < 200 * 1024; ++i) text += "row " + std::to_string(i) + " Zürich ✓\n";
  n.result = text;
  auto eml = roundTrip(n, settings(), dir);
  std::string body = eml["body"];
  EXPECT_NE(body.find(text), std::string::npos);
  EXPECT_EQ(body.find("truncated"), std::string::npos);
}

TEST(MessageBuilder, ResultOverTheCapIsCutOnACharacterWithAMarker) {
  TempDir dir;
  MessageSettings s = settings();
  s.maxTextBytes = 1000;
  Notification n = sampleNotification();
  n.result = std::string(999, 'a') + "é" + std::string(5000, 'b');  // the cap splits "é"
  auto eml = roundTrip(n, s, dir);
  std::string body = eml["body"];
  EXPECT_NE(body.find(std::string(999, 'a') + "\n"), std::string::npos);
  EXPECT_EQ(body.find("bbb"), std::string::npos);
  EXPECT_NE(body.find("truncated: the text is 6001 bytes and only the first 999 are shown; the "
                      "full text is in the job: GET /v1/jobs/42"),
            std::string::npos)
      << body;
}

TEST(MessageBuilder, DefaultCapIs256KiB) {
  TempDir dir;
  Notification n = sampleNotification();
  n.result = std::string(300 * 1024, 'x');
  auto eml = roundTrip(n, settings(), dir);
  std::string body = eml["body"];
  EXPECT_NE(body.find(std::string(256 * 1024, 'x')), std::string::npos);
  EXPECT_EQ(body.find(std::string(256 * 1024 + 1, 'x')), std::string::npos);
  EXPECT_NE(body.find("only the first 262144 are shown"), std::string::npos);
}

TEST(MessageBuilder, ControlCharactersInNamesCannotInjectHeaders) {
  TempDir dir;
  Notification n = sampleNotification();
  n.handlerName = "evil\r\nBcc: victim@example.com";
  auto eml = roundTrip(n, settings(), dir);
  EXPECT_FALSE(eml["headers"].contains("Bcc"));
  EXPECT_EQ(eml["header_counts"]["subject"], 1);
}

TEST(MessageBuilder, SameNotificationSameBytes) {
  MessageBuilder builder(settings());
  Notification n = sampleNotification();
  auto render = [&] {
    Poco::Net::MailMessage message;
    builder.build(n, message);
    std::ostringstream out;
    message.write(out);
    return out.str();
  };
  EXPECT_EQ(render(), render());
}

TEST(MessageBuilder, PublicBaseUrlGivesACommand) {
  MessageBuilder builder(settings());
  Notification n = sampleNotification();
  n.publicBaseUrl = "https://hooks.example.org/";
  EXPECT_NE(lf(builder.body(n)).find("https://hooks.example.org/v1/jobs/42\n"), std::string::npos);
}

TEST(MessageBuilder, MessageIdDomainComesFromTheSenderOrTheSetting) {
  Notification n = sampleNotification();
  MessageSettings named;
  named.from = "Hook Host <robot@ops.example.net>";
  EXPECT_EQ(MessageBuilder(named).messageId(n), "<hookhost.notification.7@ops.example.net>");
  named.messageIdDomain = "ids.example.net";
  EXPECT_EQ(MessageBuilder(named).messageId(n), "<hookhost.notification.7@ids.example.net>");
}

TEST(TruncateUtf8, NeverSplitsASequence) {
  EXPECT_EQ(truncateUtf8("abc", 10), "abc");
  EXPECT_EQ(truncateUtf8("ab€", 3), "ab");  // € is 3 bytes
  EXPECT_EQ(truncateUtf8("ab€", 4), "ab");
  EXPECT_EQ(truncateUtf8("ab€", 5), "ab€");
  EXPECT_EQ(truncateUtf8("日本", 3), "日");
}

TEST(ToCrlf, NormalisesEveryLineEnd) {
  EXPECT_EQ(toCrlf("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
  EXPECT_EQ(toCrlf("\r\n\n"), "\r\n\r\n");
}

}  // namespace
}  // namespace hookhost::notify
