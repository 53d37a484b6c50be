#include "notify/destination_policy.hpp"

#include <gtest/gtest.h>

namespace hookhost::notify {
namespace {

using Poco::Net::IPAddress;

std::optional<std::string> refusalOf(const DestinationPolicy& policy, const std::string& address) {
  return policy.refusal(IPAddress(address));
}

TEST(DestinationPolicy, RefusesInternalAddressesByDefault) {
  auto policy = DestinationPolicy::fromAllowList({});
  ASSERT_TRUE(policy);
  for (const char* address : {"127.0.0.1", "127.8.9.10", "169.254.169.254", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                              "192.168.1.1", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1",
                              "::ffff:127.0.0.1", "::ffff:10.1.2.3", "224.0.0.1", "ff02::1"}) {
    EXPECT_TRUE(refusalOf(*policy, address)) << address;
  }
  for (const char* address : {"93.184.216.34", "172.32.0.1", "172.15.255.255", "8.8.8.8", "2606:4700::1111",
                              "169.253.0.1", "192.169.0.1"}) {
    EXPECT_FALSE(refusalOf(*policy, address)) << address;
  }
  EXPECT_EQ(*refusalOf(*policy, "127.0.0.1"), "127.0.0.1 is a loopback address, which notify.webhook.allow does not list");
  EXPECT_NE(refusalOf(*policy, "169.254.169.254")->find("link-local"), std::string::npos);
  EXPECT_NE(refusalOf(*policy, "fd00::1")->find("private"), std::string::npos);
}

TEST(DestinationPolicy, AllowEntriesOpenExactlyWhatTheyList) {
  auto policy = DestinationPolicy::fromAllowList({"127.0.0.1", "10.1.0.0/16", "fd00:1::/32"});
  ASSERT_TRUE(policy);
  EXPECT_FALSE(refusalOf(*policy, "127.0.0.1"));
  EXPECT_FALSE(refusalOf(*policy, "::ffff:127.0.0.1"));
  EXPECT_TRUE(refusalOf(*policy, "127.0.0.2"));
  EXPECT_FALSE(refusalOf(*policy, "10.1.200.3"));
  EXPECT_TRUE(refusalOf(*policy, "10.2.0.1"));
  EXPECT_FALSE(refusalOf(*policy, "fd00:1:ffff::1"));
  EXPECT_TRUE(refusalOf(*policy, "fd00:2::1"));
}

TEST(DestinationPolicy, ResolvesLiteralsWithoutLookupAndNamesByTheAllowList) {
  auto closed = DestinationPolicy::fromAllowList({});
  ASSERT_TRUE(closed);
  auto refused = closed->resolve("127.0.0.1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Forbidden);
  EXPECT_NE(refused.error().message.find("127.0.0.1 is a loopback address"), std::string::npos);
  auto byName = closed->resolve("localhost");
  ASSERT_FALSE(byName);
  EXPECT_EQ(byName.error().kind, ErrorKind::Forbidden) << byName.error().message;

  auto named = DestinationPolicy::fromAllowList({"LocalHost"});
  ASSERT_TRUE(named);
  auto allowed = named->resolve("localhost");
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_TRUE(allowed->isLoopback());
  auto unresolved = named->resolve("no-such-host.invalid");
  ASSERT_FALSE(unresolved);
  EXPECT_EQ(unresolved.error().kind, ErrorKind::Unavailable);
}

TEST(DestinationPolicy, RefusesMalformedEntries) {
  for (const char* entry : {"10.0.0.0/33", "10.0.0.0/x", "::1/129", "not a host", "http://x", ""}) {
    auto policy = DestinationPolicy::fromAllowList({entry});
    ASSERT_FALSE(policy) << entry;
    EXPECT_EQ(policy.error().code, "invalid_allow_entry");
  }
}

}  // namespace
}  // namespace hookhost::notify
