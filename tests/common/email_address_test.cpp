#include "common/email_address.hpp"

#include <gtest/gtest.h>

namespace hookhost {
namespace {

TEST(EmailAddress, AcceptsPlainAddresses) {
  for (const char* good : {"success@example.com", "a.b+tag@sub.example.co.uk", "root@localhost",
                           "o'brien@example.ie", "x@a-b.example"}) {
    EXPECT_TRUE(isValidEmailAddress(good)) << good;
  }
}

TEST(EmailAddress, RefusesWhatIsNotAnAddress) {
  for (const char* bad :
       {"", "plain", "@example.com", "a@", "a@@example.com", "a b@example.com",
        "a@example..com", ".a@example.com", "a.@example.com", "a..b@example.com",
        "a@-example.com", "a@example.com\r\nBcc: x@y.z", "Name <a@example.com>",
        "a@[127.0.0.1]", "\"quoted\"@example.com", "ü@example.com", "a@exa_mple.com"}) {
    EXPECT_FALSE(isValidEmailAddress(bad)) << bad;
  }
  EXPECT_FALSE(isValidEmailAddress(std::string(65, 'a') + "@example.com"));
  EXPECT_FALSE(isValidEmailAddress("a@" + std::string(250, 'b') + ".com"));
}

}  // namespace
}  // namespace hookhost
