#include "notify/spool_transport.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include <Poco/Net/MailMessage.h>

#include "notify/message_builder.hpp"
#include "sample.hpp"
#include "smtp_sink.hpp"

namespace hookhost::notify {
namespace {

using testing::TempDir;

TEST(SpoolTransport, WritesAnRfc5322FileNamedAfterTheNotification) {
  TempDir dir;
  std::string spoolDir = dir.file("var/mail");  // created on first use
  SpoolTransport spool(spoolDir);
  MessageBuilder builder(MessageSettings{});
  Notification n = testing::sampleNotification();
  Poco::Net::MailMessage message;
  builder.build(n, message);

  SendResult result = spool.send(n, message);
  ASSERT_EQ(result.status, SendStatus::Sent) << result.error;
  // Sharded by the UTC minute the notification was created (2023-11-14 22:13:21).
  EXPECT_EQ(spool.pathFor(n), spoolDir + "/2023-11-14/22-13/7.eml");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(spoolDir)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"7.eml"}) << "no temp file may be left behind";

  auto eml = testing::parseEml(spool.pathFor(n));
  EXPECT_TRUE(eml["crlf_only"].get<bool>());
  EXPECT_EQ(eml["defects"].size(), 0u);
  EXPECT_EQ(eml["headers"]["From"], "hookhost@localhost");
  EXPECT_EQ(eml["headers"]["Message-ID"], "<hookhost.notification.7@localhost>");
  EXPECT_NE(std::string(eml["body"]).find("completed successfully"), std::string::npos);
  std::string raw = testing::readFile(spool.pathFor(n));
  EXPECT_NE(raw.find("\r\n\r\n"), std::string::npos) << "headers and body are separated";
}

TEST(SpoolTransport, ResendReplacesTheFile) {
  TempDir dir;
  SpoolTransport spool(dir.path());
  MessageBuilder builder(MessageSettings{});
  Notification n = testing::sampleNotification();
  for (int i = 0; i < 2; ++i) {
    Poco::Net::MailMessage message;
    builder.build(n, message);
    ASSERT_EQ(spool.send(n, message).status, SendStatus::Sent);
  }
  auto shard = std::filesystem::path(spool.pathFor(n)).parent_path();
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(shard), std::filesystem::directory_iterator()), 1);
}

TEST(SpoolTransport, UnwritableDirectoryIsATemporaryFailure) {
  // A file where the directory should be fails even for root.
  TempDir dir;
  std::string blocker = dir.file("not-a-dir");
  FILE* f = std::fopen(blocker.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  SpoolTransport spool(blocker + "/mail");
  MessageBuilder builder(MessageSettings{});
  Notification n = testing::sampleNotification();
  Poco::Net::MailMessage message;
  builder.build(n, message);
  SendResult result = spool.send(n, message);
  EXPECT_EQ(result.status, SendStatus::Temporary);
  EXPECT_NE(result.error.find("cannot create spool directory"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace hookhost::notify
