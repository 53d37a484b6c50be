// The depth bound every JSON parse of the host goes through (issue 18: one request killed it).
#include "common/bounded_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hookhost {
namespace {

std::string nested(char open, char close, std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += open == '{' ? std::string("{\"a\":") : std::string(1, open);
  text += "1";
  for (std::size_t i = 0; i < depth; ++i) text += close;
  return text;
}

TEST(BoundedJson, CountsNestingOfArraysAndObjects) {
  EXPECT_EQ(jsonNestingDepth("1"), 0u);
  EXPECT_EQ(jsonNestingDepth("[]"), 1u);
  EXPECT_EQ(jsonNestingDepth("[[1],[2,[3]]]"), 3u);
  EXPECT_EQ(jsonNestingDepth(nested('{', '}', 50)), 50u);
}

TEST(BoundedJson, IgnoresBracketsAndEscapedQuotesInsideStrings) {
  EXPECT_EQ(jsonNestingDepth(R"(["[[[[{{{{"])"), 1u);
  EXPECT_EQ(jsonNestingDepth(R"(["a\"[[[[", "\\", [1]])"), 2u);
  EXPECT_EQ(jsonNestingDepth(R"({"k\\":"[", "v": {}})"), 2u);
}

TEST(BoundedJson, StopsCountingAtTheLimitAndAtAnUnmatchedClose) {
  EXPECT_EQ(jsonNestingDepth(std::string(100000, '['), 128), 129u);
  // The parser refuses "]" before it would reach the brackets after it.
  EXPECT_EQ(jsonNestingDepth("]" + std::string(1000, '['), 128), 0u);
}

TEST(BoundedJson, ParsesUpToTheBoundAndRefusesDeeper) {
  auto atBound = parseBoundedJson(nested('[', ']', kMaxJsonDepth));
  ASSERT_TRUE(atBound) << atBound.error().message;
  EXPECT_TRUE(atBound->is_array());
  auto over = parseBoundedJson(nested('[', ']', kMaxJsonDepth + 1));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, "too_deep");
  EXPECT_EQ(over.error().kind, ErrorKind::BadRequest);
}

TEST(BoundedJson, RefusesHundredThousandLevelsWithoutRecursing) {
  for (char open : {'[', '{'}) {
    auto deep = parseBoundedJson(nested(open, open == '[' ? ']' : '}', 100000));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, "too_deep");
  }
  // Unclosed, as an attacker would send it.
  EXPECT_EQ(parseBoundedJson(std::string(100000, '[')).error().code, "too_deep");
}

TEST(BoundedJson, WideButShallowIsFine) {
  std::string wide = "[";
  for (int i = 0; i < 100000; ++i) wide += "[1],";
  wide += "[]]";
  auto parsed = parseBoundedJson(wide);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->size(), 100001u);
}

TEST(BoundedJson, MalformedTextIsMalformedJson) {
  for (const char* text : {"", "{", "[1,]", "\"open", "]", "nul"}) {
    auto parsed = parseBoundedJson(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, "malformed_json") << text;
  }
}

}  // namespace
}  // namespace hookhost
