#include "notify/mail_settings.hpp"

#include <map>

#include <gtest/gtest.h>

namespace hookhost::notify {
namespace {

using namespace std::chrono_literals;

ConfigLookup from(std::map<std::string, std::string> values) {
  return [values](const std::string& key) -> std::optional<std::string> {
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(MailSettings, DefaultsMatchTheDesign) {
  auto settings = readMailSettings(from({}), "/srv/hookhost/var");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->message.from, "hookhost@localhost");
  EXPECT_TRUE(settings->smtp.host.empty());
  EXPECT_EQ(settings->smtp.port, 25);
  EXPECT_FALSE(settings->smtp.starttls);
  EXPECT_EQ(settings->spoolDir, "/srv/hookhost/var/mail");
  EXPECT_EQ(settings->retry.min, 30s);
  EXPECT_EQ(settings->retry.max, 1h);
  EXPECT_EQ(settings->retry.giveUpAfter, 120h);
  EXPECT_EQ(makeTransport(*settings)->name(), "spool");
}

TEST(MailSettings, ReadsEveryKey) {
  auto settings = readMailSettings(from({{"mail.from", "Hooks <hooks@example.org>"},
                                         {"mail.smtp.host", "smtp.example.org"},
                                         {"mail.smtp.port", "587"},
                                         {"mail.smtp.user", "u"},
                                         {"mail.smtp.password", "p"},
                                         {"mail.smtp.starttls", "true"},
                                         {"mail.spool_dir", "/tmp/spool"},
                                         {"mail.retry_min", "500ms"},
                                         {"mail.retry_max", "5m"},
                                         {"mail.give_up_after", "1d"}}),
                                   "var");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->message.from, "Hooks <hooks@example.org>");
  EXPECT_EQ(settings->smtp.host, "smtp.example.org");
  EXPECT_EQ(settings->smtp.port, 587);
  EXPECT_EQ(settings->smtp.user, "u");
  EXPECT_EQ(settings->smtp.password, "p");
  EXPECT_TRUE(settings->smtp.starttls);
  EXPECT_EQ(settings->spoolDir, "/tmp/spool");
  EXPECT_EQ(settings->retry.min, 500ms);
  EXPECT_EQ(settings->retry.max, 5min);
  EXPECT_EQ(settings->retry.giveUpAfter, 24h);
  EXPECT_EQ(makeTransport(*settings)->name(), "smtp");
}

TEST(MailSettings, BadValuesNameTheKey) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (auto [key, value] : {Case{"mail.smtp.port", "25x"}, Case{"mail.smtp.port", "70000"},
                            Case{"mail.smtp.starttls", "yes please"},
                            Case{"mail.retry_min", "soon"}, Case{"mail.from", "not an address"}}) {
    auto settings = readMailSettings(from({{key, value}}), "var");
    ASSERT_FALSE(settings.ok()) << key << "=" << value;
    EXPECT_EQ(settings.error().code, "bad_config");
    EXPECT_NE(settings.error().message.find(key), std::string::npos) << settings.error().message;
  }
  auto inverted = readMailSettings(from({{"mail.retry_min", "1h"}, {"mail.retry_max", "1m"}}), "var");
  EXPECT_FALSE(inverted.ok());
}

}  // namespace
}  // namespace hookhost::notify
