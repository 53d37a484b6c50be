#include "filter/filter_cache.hpp"

#include <gtest/gtest.h>

namespace hookhost::filter {
namespace {

using nlohmann::json;

const json kFailed = {{"DataSets", {{{"Success", true}}, {{"Success", false}}}}};
const json kAllOk = {{"DataSets", {{{"Success", true}}}}};

TEST(FilterCache, MatchesTheStoredPatternOfAHandler) {
  FilterCache cache;
  const std::string pattern = R"({"DataSets": {"Success": [false]}})";
  EXPECT_TRUE(cache.admits(1, 1, pattern, kFailed));
  EXPECT_FALSE(cache.admits(1, 1, pattern, kAllOk));
}

TEST(FilterCache, CompilesOncePerVersion) {
  FilterCache cache;
  EXPECT_TRUE(cache.admits(7, 1, R"({"DataSets": {"Success": [false]}})", kFailed));
  // The same version is not read again: the text passed now is ignored.
  EXPECT_TRUE(cache.admits(7, 1, R"({"DataSets": {"Success": [true]}})", kFailed));
  EXPECT_FALSE(cache.admits(7, 1, "", kAllOk));
  // A new version (a replaced handler) is compiled from its own text.
  EXPECT_TRUE(cache.admits(7, 2, R"({"DataSets": {"Success": [true]}})", kAllOk));
  EXPECT_FALSE(cache.admits(7, 2, "", json{{"DataSets", {{{"Success", false}}}}}));
  // Handlers are kept apart.
  EXPECT_TRUE(cache.admits(8, 2, R"({"DataSets": {"Success": [false]}})", kFailed));
  EXPECT_TRUE(cache.admits(7, 2, "", kAllOk));
}

TEST(FilterCache, AStoredTextThatDoesNotCompileLetsNothingThrough) {
  FilterCache cache;
  EXPECT_FALSE(cache.admits(1, 1, "not json", kFailed));
  EXPECT_FALSE(cache.admits(2, 1, R"({"DataSets": 1})", kFailed));
  EXPECT_FALSE(cache.admits(3, 1, std::string(200, '[') + std::string(200, ']'), kFailed));
}

}  // namespace
}  // namespace hookhost::filter
