#include "http/body_budget.hpp"

#include <gtest/gtest.h>

namespace hookhost::http {
namespace {

TEST(BodyBudget, ReservesUntilSpentAndGetsBytesBackWhenAReservationEnds) {
  BodyBudget budget(100);
  auto first = budget.reserve(60);
  ASSERT_TRUE(first);
  EXPECT_FALSE(budget.reserve(41));
  {
    auto second = budget.reserve(40);
    ASSERT_TRUE(second);
    EXPECT_EQ(budget.inUse(), 100u);
    EXPECT_FALSE(budget.reserve(1));
  }
  EXPECT_EQ(budget.inUse(), 60u);
  first.reset();
  EXPECT_EQ(budget.inUse(), 0u);
  EXPECT_TRUE(budget.reserve(100));
}

TEST(BodyBudget, ARequestLargerThanTheWholeBudgetNeverFits) {
  BodyBudget budget(10);
  EXPECT_FALSE(budget.reserve(11));
  EXPECT_EQ(budget.inUse(), 0u);
}

}  // namespace
}  // namespace hookhost::http
