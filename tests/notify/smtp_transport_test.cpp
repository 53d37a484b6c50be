#include "notify/smtp_transport.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

#include <Poco/Net/MailMessage.h>

#include "notify/message_builder.hpp"
#include "sample.hpp"
#include "smtp_sink.hpp"

namespace hookhost::notify {
namespace {

using testing::SmtpSink;
using testing::TempDir;

SmtpSettings at(std::uint16_t port) {
  SmtpSettings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.timeout = std::chrono::seconds(5);
  s.heloName = "hookhost.test";
  return s;
}

SendResult sendSample(SmtpTransport& transport, const Notification& n) {
  MessageBuilder builder(MessageSettings{});
  Poco::Net::MailMessage message;
  builder.build(n, message);
  return transport.send(n, message);
}

TEST(SmtpTransport, DeliversTheMessageIntact) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"));
  ASSERT_NE(sink.port(), 0);
  SmtpTransport transport(at(sink.port()));
  Notification n = testing::sampleNotification();
  n.result = "Grüße ✓\n.\n..\nFrom here\n" + std::string(3000, 'y') + "\nend";
  SendResult result = sendSample(transport, n);
  ASSERT_EQ(result.status, SendStatus::Sent) << result.error;

  auto files = sink.messageFiles();
  ASSERT_EQ(files.size(), 1u);
  auto eml = testing::parseEml(files[0]);
  EXPECT_EQ(eml["headers"]["Message-ID"], "<hookhost.notification.7@localhost>");
  EXPECT_EQ(eml["headers"]["To"], "success@example.com");
  EXPECT_EQ(eml["subject"], "[hookhost] trivial-handler on ctingress.on_complete: succeeded (job 42)");
  EXPECT_NE(std::string(eml["body"]).find(n.result), std::string::npos)
      << "dot-stuffing or encoding damaged the text:\n" << eml["body"];
}

TEST(SmtpTransport, NothingListeningIsATemporaryServerFailure) {
  TempDir dir;
  std::uint16_t port;
  {
    SmtpSink sink(dir.file("mail"));
    ASSERT_NE(sink.port(), 0);
    port = sink.port();
  }
  SmtpTransport transport(at(port));
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary);
  EXPECT_EQ(result.scope, FailureScope::Server);
  EXPECT_NE(result.error.find("refused"), std::string::npos) << result.error;
}

TEST(SmtpTransport, RecipientRejected550IsPermanent) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--rcpt-code", "550"});
  ASSERT_NE(sink.port(), 0);
  SmtpTransport transport(at(sink.port()));
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Permanent);
  EXPECT_EQ(result.scope, FailureScope::Message);
  EXPECT_NE(result.error.find("RCPT TO answered 550"), std::string::npos) << result.error;
  EXPECT_TRUE(sink.messageFiles().empty());
}

TEST(SmtpTransport, RecipientRejected451IsTemporary) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--rcpt-code", "451"});
  ASSERT_NE(sink.port(), 0);
  SmtpTransport transport(at(sink.port()));
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary);
  EXPECT_EQ(result.scope, FailureScope::Message);
}

TEST(SmtpTransport, DataRefusedFollowsTheReplyClass) {
  TempDir dir;
  {
    SmtpSink sink(dir.file("a"), {"--data-code", "554"});
    ASSERT_NE(sink.port(), 0);
    SmtpTransport transport(at(sink.port()));
    SendResult result = sendSample(transport, testing::sampleNotification());
    EXPECT_EQ(result.status, SendStatus::Permanent) << result.error;
    EXPECT_NE(result.error.find("554"), std::string::npos) << result.error;
  }
  {
    SmtpSink sink(dir.file("b"), {"--data-code", "452"});
    ASSERT_NE(sink.port(), 0);
    SmtpTransport transport(at(sink.port()));
    SendResult result = sendSample(transport, testing::sampleNotification());
    EXPECT_EQ(result.status, SendStatus::Temporary) << result.error;
  }
}

TEST(SmtpTransport, ConnectionLostAfterDataIsTemporary) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--drop-after-data", "1"});
  ASSERT_NE(sink.port(), 0);
  SmtpTransport transport(at(sink.port()));
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary);
  EXPECT_NE(result.error.find("after sending the message data"), std::string::npos)
      << result.error;
  EXPECT_EQ(sink.messageFiles().size(), 1u) << "the server did get the data";
}

TEST(SmtpTransport, LogsInWhenAUserIsSet) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--auth", "mailer:s3cret"}, dir.file("log"));
  ASSERT_NE(sink.port(), 0);
  SmtpSettings good = at(sink.port());
  good.user = "mailer";
  good.password = "s3cret";
  SmtpTransport transport(good);
  SendResult result = sendSample(transport, testing::sampleNotification());
  ASSERT_EQ(result.status, SendStatus::Sent) << result.error;
  bool authed = false;
  for (const auto& event : sink.events()) {
    if (event["event"] == "auth" && event["ok"] == true) authed = true;
  }
  EXPECT_TRUE(authed);

  SmtpSettings bad = good;
  bad.password = "wrong";
  SmtpTransport refused(bad);
  result = sendSample(refused, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary) << "bad credentials are the host's problem";
  EXPECT_EQ(result.scope, FailureScope::Server);
  EXPECT_NE(result.error.find("535"), std::string::npos) << result.error;
  EXPECT_EQ(sink.messageFiles().size(), 1u);
}

TEST(SmtpTransport, WithoutAuthTheSinkRefusesMail) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--auth", "mailer:s3cret"});
  ASSERT_NE(sink.port(), 0);
  SmtpTransport transport(at(sink.port()));
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_NE(result.status, SendStatus::Sent);
  EXPECT_TRUE(sink.messageFiles().empty());
}

}  // namespace
}  // namespace hookhost::notify

namespace hookhost::notify {
namespace {

/// A self-signed certificate for 127.0.0.1, made with the openssl command line.
bool makeCertificate(const TempDir& dir) {
  std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
                        " -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
                        " -keyout " + dir.file("key.pem") + " -out " + dir.file("cert.pem") +
                        " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(SmtpTransport, StartTlsUpgradesBeforeSending) {
  TempDir dir;
  ASSERT_TRUE(makeCertificate(dir)) << "openssl is needed to make a test certificate";
  SmtpSink sink(dir.file("mail"),
                {"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem"),
                 "--require-tls", "--auth", "mailer:s3cret"},
                dir.file("log"));
  ASSERT_NE(sink.port(), 0);
  SmtpSettings settings = at(sink.port());
  settings.starttls = true;
  settings.caFile = dir.file("cert.pem");
  settings.user = "mailer";
  settings.password = "s3cret";
  SmtpTransport transport(settings);
  SendResult result = sendSample(transport, testing::sampleNotification());
  ASSERT_EQ(result.status, SendStatus::Sent) << result.error;
  EXPECT_EQ(sink.messageFiles().size(), 1u);
}

TEST(SmtpTransport, StartTlsRefusesAnUntrustedCertificate) {
  TempDir dir;
  ASSERT_TRUE(makeCertificate(dir));
  SmtpSink sink(dir.file("mail"),
                {"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")});
  ASSERT_NE(sink.port(), 0);
  SmtpSettings settings = at(sink.port());
  settings.starttls = true;  // no caFile: the self-signed certificate is not trusted
  SmtpTransport transport(settings);
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary) << result.error;
  EXPECT_NE(result.error.find("certificate"), std::string::npos) << result.error;
  EXPECT_EQ(result.scope, FailureScope::Server);
  EXPECT_TRUE(sink.messageFiles().empty());
}

TEST(SmtpTransport, StartTlsRequiredButNotOfferedDoesNotSendInClear) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"));
  ASSERT_NE(sink.port(), 0);
  SmtpSettings settings = at(sink.port());
  settings.starttls = true;
  SmtpTransport transport(settings);
  SendResult result = sendSample(transport, testing::sampleNotification());
  EXPECT_EQ(result.status, SendStatus::Temporary) << result.error;
  EXPECT_NE(result.error.find("STARTTLS"), std::string::npos) << result.error;
  EXPECT_TRUE(sink.messageFiles().empty());
}

}  // namespace
}  // namespace hookhost::notify
