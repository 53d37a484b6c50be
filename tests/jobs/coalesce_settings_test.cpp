// The coalesce settings of a handler: parsing with precise errors, keys of payloads, and
// the window's closing time (pure, no store).
#include "jobs/coalesce_settings.hpp"

#include <gtest/gtest.h>

#include "jobs/transition.hpp"

namespace hookhost::jobs {
namespace {

TEST(CoalesceSettings, ParsesWithDefaultsAndRoundTrips) {
  auto settings = parseCoalesce({{"key", {"/genome", "/db/name"}}});
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(settings->quietS, 30);
  EXPECT_EQ(settings->maxWaitS, 600);
  EXPECT_FALSE(settings->afterChain);
  auto again = coalesceFromText(coalesceToJson(*settings).dump());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->key, settings->key);
  // A quiet time past the default max wait raises the max wait's default with it.
  EXPECT_EQ(parseCoalesce({{"key", {"/g"}}, {"quiet_s", 900}})->maxWaitS, 900);
}

TEST(CoalesceSettings, RefusesEachBadPartByName) {
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {nlohmann::json::array(), "coalesce: "},
      {{{"key", "/g"}}, "coalesce.key: "},
      {{{"key", {"/g", 3}}}, "coalesce.key[1]: "},
      {{{"key", {"/a~2"}}}, "coalesce.key[0]: "},
      {{{"key", {"/g"}}, {"quiet_s", -1}}, "coalesce.quiet_s: "},
      {{{"key", {"/g"}}, {"max_wait_s", "long"}}, "coalesce.max_wait_s: "},
      {{{"key", {"/g"}}, {"quiet_s", 10}, {"max_wait_s", 5}}, "coalesce.max_wait_s: "},
      {{{"key", {"/g"}}, {"after_chain", 1}}, "coalesce.after_chain: "},
      {{{"key", {"/g"}}, {"debounce", 1}}, "coalesce.debounce: "},
  };
  for (const auto& [value, prefix] : cases) {
    auto parsed = parseCoalesce(value);
    ASSERT_FALSE(parsed) << value;
    EXPECT_EQ(parsed.error().code, "invalid_coalesce");
    EXPECT_EQ(parsed.error().message.rfind(prefix, 0), 0u) << parsed.error().message;
  }
}

TEST(CoalesceSettings, TheKeyIsTheValuesAtThePointersOrTheFirstMissingOne) {
  auto settings = *parseCoalesce({{"key", {"/genome", "/run/id"}}});
  auto key = coalesceKeyOf(settings, {{"genome", "homo_sapiens"}, {"run", {{"id", 7}}}});
  ASSERT_TRUE(key.key);
  EXPECT_EQ(*key.key, R"(["homo_sapiens",7])");
  EXPECT_EQ(coalesceKeyOf(settings, {{"genome", "homo_sapiens"}}).missingPointer, "/run/id");
  EXPECT_FALSE(coalesceKeyOf(settings, {{"genome", "x"}, {"run", {1, 2}}}).key);  // "/run/id" into an array
}

TEST(CoalesceSettings, AWindowClosesQuietAfterItsLastEventButNoLaterThanMaxWaitAfterItsFirst) {
  auto settings = *parseCoalesce({{"key", {"/g"}}, {"quiet_s", 2}, {"max_wait_s", 5}});
  EXPECT_EQ(windowClosesAt(settings, 0, 0), 2'000'000);
  EXPECT_EQ(windowClosesAt(settings, 0, 1'500'000), 3'500'000);
  EXPECT_EQ(windowClosesAt(settings, 0, 4'000'000), 5'000'000);
}

TEST(CoalesceSettings, TheTableClosesAPendingWindowWithTheRuleThatClosedIt) {
  JobFacts pending;
  pending.state = JobState::Pending;
  TriggerInput closing;
  closing.trigger = Trigger::WindowClosed;
  closing.reason = "max_wait_s";
  auto transition = std::get<Transition>(decide(pending, closing));
  EXPECT_EQ(transition.next, JobState::Queued);
  EXPECT_EQ(transition.historyData["closed_by"], "max_wait_s");
  closing.trigger = Trigger::Cancelled;
  EXPECT_EQ(std::get<Transition>(decide(pending, closing)).next, JobState::Cancelled);
}

}  // namespace
}  // namespace hookhost::jobs
