#include "notify/webhook_signature.hpp"

#include <gtest/gtest.h>

#include "common/webhook_secret.hpp"

namespace hookhost::notify {
namespace {

// The test vector the Standard Webhooks reference libraries check themselves against.
TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  auto signature = signWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                               R"({"test": 2432232314})");
  ASSERT_TRUE(signature);
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, ChangesWithEveryPartAndRefusesAMalformedSecret) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto base = signWebhook(secret, "msg_1", 100, "{}");
  ASSERT_TRUE(base);
  EXPECT_NE(*signWebhook(secret, "msg_2", 100, "{}"), *base);
  EXPECT_NE(*signWebhook(secret, "msg_1", 101, "{}"), *base);
  EXPECT_NE(*signWebhook(secret, "msg_1", 100, "{ }"), *base);
  EXPECT_FALSE(signWebhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 100, "{}"));
  EXPECT_FALSE(signWebhook("whsec_", "msg_1", 100, "{}"));
}

TEST(WebhookSecret, IsWhsecAndThirtyTwoRandomBytes) {
  const std::string one = newWebhookSecret(), two = newWebhookSecret();
  EXPECT_NE(one, two);
  EXPECT_EQ(one.rfind("whsec_", 0), 0u);
  auto key = webhookSecretKey(one);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
}

}  // namespace
}  // namespace hookhost::notify
