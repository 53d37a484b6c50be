#include "plugins/plugin_manifest.hpp"

#include <gtest/gtest.h>

namespace hookhost::plugins {
namespace {

using nlohmann::json;

std::string errorOf(const json& document) {
  auto parsed = parseManifest(document, "/p/x.json");
  return parsed ? "(parsed)" : parsed.error().message;
}

TEST(PluginManifest, ParsesEveryField) {
  auto parsed = parseManifest(json::parse(R"({
    "config": {"url": "http://x"},
    "handlers": [{"handler": "summary", "name": "archive-summary", "hook": "ctingress.on_complete",
                  "tags": ["a", "b"], "notify_on_success": "s@example.com", "notify_on_failure": "f@example.com",
                  "config": {"k": 1}, "execution": "in_process", "timeout_s": 30, "max_attempts": 3},
                 {"handler": "other", "hook": "h"}]})"), "/p/x.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->config, (json{{"url", "http://x"}}));
  ASSERT_EQ(parsed->handlers.size(), 2u);
  const auto& first = parsed->handlers[0];
  EXPECT_EQ(first.handler, "summary");
  EXPECT_EQ(first.name, "archive-summary");
  EXPECT_EQ(first.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(first.notifyOnFailure, "f@example.com");
  EXPECT_EQ(first.config, (json{{"k", 1}}));
  EXPECT_EQ(first.execution, Execution::InProcess);
  EXPECT_EQ(first.timeoutS, 30);
  EXPECT_EQ(first.maxAttempts, 3);
  const auto& second = parsed->handlers[1];
  EXPECT_EQ(second.execution, Execution::Isolated);
  EXPECT_TRUE(second.tags.empty());
  EXPECT_FALSE(second.timeoutS);
  EXPECT_EQ(parsed->toJson()["handlers"][0]["execution"], "in_process");
}

TEST(PluginManifest, AcceptsWebhookUrlsAndRefusesBadDestinations) {
  auto parsed = parseManifest(json::parse(R"({"handlers": [{"handler": "s", "hook": "h",
      "notify_on_success": "HTTPS://hooks.example.com/in", "notify_on_failure": "ops@example.com"}]})"), "/p/x.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->handlers[0].notifyOnSuccess, "https://hooks.example.com/in");
  EXPECT_EQ(errorOf({{"handlers", {{{"handler", "s"}, {"hook", "h"}, {"notify_on_failure", "nope"}}}}}),
            "/p/x.json: handlers[0].notify_on_failure: 'nope' is neither an email address nor an http(s):// URL");
  EXPECT_NE(errorOf({{"handlers", {{{"handler", "s"}, {"hook", "h"}, {"notify_on_success", "http://u:p@x/"}}}}})
                .find("user name or password"),
            std::string::npos);
}

TEST(PluginManifest, NamesTheBadField) {
  EXPECT_EQ(errorOf(json::array()), "/p/x.json: the manifest is not a JSON object");
  EXPECT_EQ(errorOf({{"config", 3}}), "/p/x.json: \"config\" is not an object");
  EXPECT_EQ(errorOf({{"handlers", {{{"hook", "h"}}}}}), "/p/x.json: handlers[0].handler must be a non-empty string");
  EXPECT_EQ(errorOf({{"handlers", {{{"handler", "x"}, {"hook", "h"}, {"tags", {1}}}}}}),
            "/p/x.json: handlers[0].tags must be an array of strings");
  EXPECT_EQ(errorOf({{"handlers", {{{"handler", "x"}, {"hook", "h"}, {"execution", "fast"}}}}}),
            "/p/x.json: handlers[0].execution must be \"isolated\" or \"in_process\"");
}

TEST(PluginManifest, TakesAContentFilterAndNamesItsBadPart) {
  auto parsed = parseManifest(json::parse(R"({"handlers": [
      {"handler": "summary", "hook": "h", "filter": {"DataSets": {"Success": [false]}}},
      {"handler": "other", "hook": "h"}]})"), "/p/x.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->handlers[0].filter, json::parse(R"({"DataSets": {"Success": [false]}})"));
  EXPECT_TRUE(parsed->handlers[1].filter.is_null());
  EXPECT_EQ(parsed->toJson()["handlers"][0]["filter"], parsed->handlers[0].filter);
  EXPECT_FALSE(parsed->toJson()["handlers"][1].contains("filter"));
  EXPECT_EQ(errorOf(json::parse(R"({"handlers": [{"handler": "x", "hook": "h", "filter": {"File": "a.zip"}}]})")),
            "/p/x.json: handlers[0].filter at /File: must be an object (to match nested fields) or an array of "
            "matchers");
}

TEST(PluginManifest, AnEmptyObjectIsValid) {
  auto parsed = parseManifest(json::object(), "/p/x.json");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->handlers.empty());
}

}  // namespace
}  // namespace hookhost::plugins
