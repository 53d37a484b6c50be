#include "common/webhook_url.hpp"

#include <gtest/gtest.h>

namespace hookhost {
namespace {

TEST(WebhookUrl, TakesApartHttpAndHttpsUrls) {
  auto plain = parseWebhookUrl("http://hooks.example.com/in?team=ops");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->https);
  EXPECT_EQ(plain->host, "hooks.example.com");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/in?team=ops");
  auto secure = parseWebhookUrl("HTTPS://[2001:db8::1]:8443");
  ASSERT_TRUE(secure) << secure.error().message;
  EXPECT_TRUE(secure->https);
  EXPECT_EQ(secure->host, "2001:db8::1");
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->target, "/");
  EXPECT_EQ(canonicalWebhookUrl("HTTPS://Example.com/A"), "https://Example.com/A");
}

TEST(WebhookUrl, RefusesWhatCannotBeAWebhookDestination) {
  for (const std::string& url : std::vector<std::string>{"ftp://example.com/", "http://", "http:///path", "http://user:pw@example.com/",
                                "http://user@example.com/", "http://example.com/a b", "http://example.com/#top",
                                "http://example.com/\n", "https://example.com/" + std::string(2030, 'a')}) {
    EXPECT_FALSE(parseWebhookUrl(url)) << url;
  }
  EXPECT_TRUE(parseWebhookUrl("https://example.com/" + std::string(2028, 'a')));
}

TEST(WebhookUrl, NotifyDestinationsAreEmptyAnEmailOrAUrl) {
  EXPECT_FALSE(notifyDestinationProblem(""));
  EXPECT_FALSE(notifyDestinationProblem("ops@example.com"));
  EXPECT_FALSE(notifyDestinationProblem("https://example.com/x"));
  EXPECT_EQ(*notifyDestinationProblem("x"), "'x' is neither an email address nor an http(s):// URL");
  EXPECT_NE(notifyDestinationProblem("http://a:b@example.com/")->find("user name or password"), std::string::npos);
  EXPECT_TRUE(isWebhookDestination("Http://x"));
  EXPECT_FALSE(isWebhookDestination("http@example.com"));
}

}  // namespace
}  // namespace hookhost
