#include "apidocs/api_docs_page.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "apidocs/open_api_spec.hpp"

namespace hookhost::apidocs {
namespace {

using nlohmann::json;

TEST(ApiDocsPage, ListsEveryOperation) {
  const json& spec = openApiSpec();
  std::string page = renderApiDocsHtml(spec);
  ASSERT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  for (const auto& [path, item] : spec["paths"].items()) {
    EXPECT_NE(page.find("<span class=\"path\">" + escapeHtml(path) + "</span>"), std::string::npos)
        << path;
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      EXPECT_NE(page.find("id=\"op-" + operation["operationId"].get<std::string>() + "\""),
                std::string::npos)
          << method << " " << path;
    }
  }
  for (const char* detail : {"wait", "handler_id", "notify_on_failure", "Bearer auth", "no auth",
                             "QUEUED", "<code>429</code>", "schema-Job"}) {
    EXPECT_NE(page.find(detail), std::string::npos) << detail;
  }
}

TEST(ApiDocsPage, IsSelfContained) {
  std::string page = renderApiDocsHtml(openApiSpec());
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  EXPECT_EQ(page.find("url("), std::string::npos);
  std::regex external(R"((src|href)\s*=\s*"(https?:)?//)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(page, external));
}

TEST(ApiDocsPage, EscapesWhatTheSpecSays) {
  json spec = json::parse(R"({
    "openapi": "3.0.3",
    "info": {"title": "<b>t</b>", "version": "1", "description": "a <script>alert(1)</script> `x<y`"},
    "paths": {"/p": {"get": {"operationId": "p", "summary": "\"quoted\" & <em>",
                             "responses": {"200": {"description": "<img src=x>"}}}}}
  })");
  std::string page = renderApiDocsHtml(spec);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("<code>x&lt;y</code>"), std::string::npos);
  EXPECT_NE(page.find("&quot;quoted&quot; &amp; &lt;em&gt;"), std::string::npos);
}

TEST(EscapeHtml, EscapesTheFive) {
  EXPECT_EQ(escapeHtml("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace hookhost::apidocs
