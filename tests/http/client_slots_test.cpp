#include "http/client_slots.hpp"

#include <gtest/gtest.h>

namespace hookhost::http {
namespace {

TEST(ClientSlots, EachAddressHasItsOwnLimit) {
  ClientSlots slots(2);
  EXPECT_TRUE(slots.tryAcquire("127.0.0.2"));
  EXPECT_TRUE(slots.tryAcquire("127.0.0.2"));
  EXPECT_FALSE(slots.tryAcquire("127.0.0.2"));
  EXPECT_TRUE(slots.tryAcquire("127.0.0.1"));
  slots.release("127.0.0.2");
  EXPECT_TRUE(slots.tryAcquire("127.0.0.2"));
}

TEST(ClientSlots, ReleasingAnUnknownAddressChangesNothing) {
  ClientSlots slots(1);
  slots.release("10.0.0.1");
  EXPECT_TRUE(slots.tryAcquire("10.0.0.1"));
  EXPECT_FALSE(slots.tryAcquire("10.0.0.1"));
}

}  // namespace
}  // namespace hookhost::http
