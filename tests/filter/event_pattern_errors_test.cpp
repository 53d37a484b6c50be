// Refused patterns name the bad part; deep patterns and payloads are bounded.
#include "filter/event_pattern.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hookhost::filter {
namespace {

using nlohmann::json;

std::string refusal(const json& pattern) {
  auto compiled = EventPattern::compile(pattern);
  if (compiled) return "(accepted)";
  EXPECT_EQ(compiled.error().kind, ErrorKind::Unprocessable);
  EXPECT_EQ(compiled.error().code, "invalid_filter");
  return compiled.error().message;
}

TEST(EventPatternErrors, NameTheJsonPointerOfTheBadPart) {
  EXPECT_EQ(refusal(json::array()), "filter: must be a JSON object whose keys name payload fields");
  EXPECT_EQ(refusal(json::object()), "filter: must not be an empty object");
  EXPECT_EQ(refusal({{"DataSets", {{"Success", false}}}}),
            "filter at /DataSets/Success: must be an object (to match nested fields) or an array of matchers");
  EXPECT_EQ(refusal({{"a", json::array()}}), "filter at /a: must list at least one matcher");
  EXPECT_EQ(refusal({{"a", json::object()}}), "filter at /a: must not be an empty object");
  EXPECT_EQ(refusal({{"a", {"x", {{"prefix", 1}}}}}), "filter at /a/1/prefix: must be a string");
  EXPECT_EQ(refusal({{"a", {{{"suffix", nullptr}}}}}), "filter at /a/0/suffix: must be a string");
  EXPECT_EQ(refusal({{"a", {{{"exists", "yes"}}}}}), "filter at /a/0/exists: must be true or false");
  EXPECT_EQ(refusal({{"a", {{{"equals-ignore-case", "x"}}}}}),
            "filter at /a/0/equals-ignore-case: unknown matcher \"equals-ignore-case\"; the matchers are prefix, "
            "suffix, anything-but, numeric, exists");
  EXPECT_EQ(refusal({{"a/b~c", {json::array({1})}}}),
            "filter at /a~1b~0c/0: a matcher is a string, number, boolean, null or an object with one of prefix, "
            "suffix, anything-but, numeric, exists");
  EXPECT_EQ(refusal({{"a", {{{"prefix", "x"}, {"suffix", "y"}}}}}),
            "filter at /a/0: a matcher is a string, number, boolean, null or an object with one of prefix, "
            "suffix, anything-but, numeric, exists");
}

TEST(EventPatternErrors, AnythingButTakesValues) {
  EXPECT_EQ(refusal({{"a", {{{"anything-but", json::array()}}}}}),
            "filter at /a/0/anything-but: must be a non-empty array of values");
  EXPECT_EQ(refusal({{"a", {{{"anything-but", {"x", {{"prefix", "y"}}}}}}}}),
            "filter at /a/0/anything-but/1: must be a string, number, boolean or null");
  EXPECT_EQ(refusal({{"a", {{{"anything-but", {{"k", "v"}}}}}}}),
            "filter at /a/0/anything-but: must be a non-empty array of values");
}

TEST(EventPatternErrors, NumericTakesComparisonsAndNumbers) {
  const std::string shape =
      "filter at /n/0/numeric: must be [op, number] or [lower op, number, upper op, number], e.g. [\">\", 0, "
      "\"<=\", 5]";
  EXPECT_EQ(refusal({{"n", {{{"numeric", 5}}}}}), shape);
  EXPECT_EQ(refusal({{"n", {{{"numeric", {">", 0, "<"}}}}}}), shape);
  EXPECT_EQ(refusal({{"n", {{{"numeric", {"!=", 0}}}}}}),
            "filter at /n/0/numeric/0: must be one of \"=\", \"<\", \"<=\", \">\", \">=\"");
  EXPECT_EQ(refusal({{"n", {{{"numeric", {">", "0"}}}}}}), "filter at /n/0/numeric/1: must be a number");
  EXPECT_EQ(refusal({{"n", {{{"numeric", {"<", 5, ">", 0}}}}}}),
            "filter at /n/0/numeric: a range is a lower bound (\">\" or \">=\") then an upper bound (\"<\" or "
            "\"<=\")");
  EXPECT_EQ(refusal({{"n", {{{"numeric", {"=", 5, "<", 9}}}}}}),
            "filter at /n/0/numeric: a range is a lower bound (\">\" or \">=\") then an upper bound (\"<\" or "
            "\"<=\")");
}

TEST(EventPatternErrors, TheNameOfTheFilterIsTheCallersOwn) {
  auto compiled = EventPattern::compile({{"a", 1}}, "handlers[0].filter");
  ASSERT_FALSE(compiled);
  EXPECT_EQ(compiled.error().message,
            "handlers[0].filter at /a: must be an object (to match nested fields) or an array of matchers");
}

json nested(std::size_t depth, const json& leaf) {
  json value = leaf;
  for (std::size_t i = 0; i < depth; ++i) value = json{{"a", std::move(value)}};
  return value;
}

TEST(EventPatternBounds, APatternDeeperThanTheLimitIsRefusedWithoutRecursingIntoIt) {
  // Built here, not parsed, so no parser limit stands between the compiler and its depth.
  json deep = nested(200'000, json::array({1}));
  std::string message = refusal(deep);
  EXPECT_NE(message.find("nests deeper than 64 objects"), std::string::npos);
  EXPECT_EQ(message.rfind("filter at /a/a/", 0), 0u);
  // nlohmann destroys nested values iteratively, so the test itself survives the depth.
}

TEST(EventPatternBounds, APatternAtTheLimitCompilesAndMatches) {
  auto compiled = EventPattern::compile(nested(kMaxPatternDepth - 1, json::array({1})));
  ASSERT_TRUE(compiled) << compiled.error().message;
  EXPECT_TRUE(compiled->matches(nested(kMaxPatternDepth - 1, 1)));
  EXPECT_FALSE(compiled->matches(nested(kMaxPatternDepth - 1, 2)));
  EXPECT_FALSE(compiled->matches(nested(kMaxPatternDepth - 2, 1)));
}

TEST(EventPatternBounds, ADeepPayloadIsMatchedWithoutRecursion) {
  // 200,000 nested arrays: flattened on the heap. A recursive walk would overflow the stack.
  json deepArray = 1;
  for (int i = 0; i < 200'000; ++i) deepArray = json::array({std::move(deepArray)});
  json payload = json::object();
  payload["v"] = std::move(deepArray);  // moved, never copied: a copy would recurse
  payload["deep"] = nested(200'000, 1);
  auto compiled = EventPattern::compile({{"v", {1}}});
  ASSERT_TRUE(compiled);
  EXPECT_TRUE(compiled->matches(payload));
  auto other = EventPattern::compile({{"v", {2}}});
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->matches(payload));
  // Deep objects: matching goes only as deep as the pattern.
  auto deepObjects = EventPattern::compile({{"deep", {{"a", {{"a", {{{"exists", true}}}}}}}}});
  ASSERT_TRUE(deepObjects);
  EXPECT_TRUE(deepObjects->matches(payload));
}

TEST(EventPatternBounds, WorkIsLinearInPatternTimesPayload) {
  // 100,000 objects against a 3-key object pattern; only the last element matches. A
  // quadratic walk (re-scanning the array per element or key) takes minutes, not milliseconds.
  json elements = json::array();
  for (int i = 0; i < 100'000; ++i) elements.push_back({{"id", i}, {"ok", true}, {"kind", "x"}});
  elements.back()["ok"] = false;
  auto compiled = EventPattern::compile({{"sets", {{"ok", {false}}, {"kind", {"x"}}, {"id", {{{"numeric", {">", 0}}}}}}}});
  ASSERT_TRUE(compiled);
  json payload = json::object();
  payload["sets"] = std::move(elements);
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(compiled->matches(payload));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

}  // namespace
}  // namespace hookhost::filter
