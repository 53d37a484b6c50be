#include "apidocs/open_api_spec.hpp"

#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "http/router.hpp"

namespace hookhost::apidocs {
namespace {

using nlohmann::json;

/// Every route of DESIGN.md's "REST API v1" table.
const std::set<std::pair<std::string, std::string>> kDesignRoutes = {
    {"get", "/v1/hooks"},
    {"post", "/v1/handlers"},
    {"get", "/v1/handlers"},
    {"get", "/v1/handlers/{id}"},
    {"delete", "/v1/handlers/{id}"},
    {"post", "/v1/events"},
    {"get", "/v1/events/{id}"},
    {"get", "/v1/events/{id}/tree"},
    {"get", "/v1/jobs"},
    {"get", "/v1/jobs/{id}"},
    {"post", "/v1/jobs/{id}/cancel"},
    {"get", "/v1/jobs/{id}/output"},
    {"post", "/v1/jobs/{id}/callback"},
    {"get", "/v1/plugins"},
    {"get", "/v1/runtimes"},  // issue 20: the interpreters python handlers run in
    {"post", "/v1/jobs/{id}/rerun"},
    {"post", "/v1/replay"},
    {"get", "/v1/handlers/{id}/versions"},
    {"post", "/v1/handlers/{id}/rollback"},
    {"get", "/health"},
    {"get", "/metrics"},
    {"get", "/openapi.json"},
    {"get", "/apidocs"},
    {"get", "/v1/stats"},  // issue 16: the console's chart, who the key is, the console itself
    {"get", "/v1/me"},
    {"get", "/ui"},
    {"get", "/ui/{file}"},
};

// The ones DESIGN.md exempts from keys, and the callback, whose credential is the job's token.
const std::set<std::string> kPublicPaths = {"/health", "/metrics", "/openapi.json", "/apidocs",
                                            "/v1/jobs/{id}/callback", "/ui", "/ui/{file}"};

std::set<std::pair<std::string, std::string>> routesOf(const json& spec) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const char* method : {"get", "post", "put", "patch", "delete"}) {
      if (item.contains(method)) routes.emplace(method, path);
    }
  }
  return routes;
}

void collectRefs(const json& node, std::vector<std::string>& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) refs.push_back(value.get<std::string>());
      else collectRefs(value, refs);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) collectRefs(value, refs);
  }
}

TEST(OpenApiSpec, IsAnOpenApi3DocumentWithEveryRouteOfTheDesign) {
  const json& spec = openApiSpec();
  ASSERT_TRUE(spec.is_object());
  EXPECT_EQ(spec["openapi"].get<std::string>().rfind("3.0.", 0), 0u);
  EXPECT_TRUE(spec["info"].contains("title"));
  EXPECT_EQ(routesOf(spec), kDesignRoutes);
}

TEST(OpenApiSpec, DescribesExactlyWhatTheServerRoutes) {
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : http::apiRoutes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.emplace(method, route.pattern);
    const json& operation = openApiSpec()["paths"][route.pattern][method];
    bool isPublic = operation.contains("security") && operation["security"].empty();
    EXPECT_EQ(isPublic, route.access == http::Access::Public) << method << " " << route.pattern;
  }
  EXPECT_EQ(served, kDesignRoutes);
}

TEST(OpenApiSpec, BearerAuthEverywhereButThePublicRoutes) {
  const json& spec = openApiSpec();
  EXPECT_EQ(spec["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
  EXPECT_EQ(spec["security"], json::parse(R"([{"bearerAuth": []}])"));
  for (const auto& [method, path] : kDesignRoutes) {
    const json& operation = spec["paths"][path][method];
    bool isPublic = operation.contains("security") && operation["security"].empty();
    EXPECT_EQ(isPublic, kPublicPaths.count(path) == 1) << method << " " << path;
    if (!isPublic) {
      EXPECT_TRUE(operation["responses"].contains("401")) << method << " " << path;
    }
  }
}

TEST(OpenApiSpec, EveryReferenceResolves) {
  const json& spec = openApiSpec();
  std::vector<std::string> refs;
  collectRefs(spec, refs);
  ASSERT_FALSE(refs.empty());
  for (const auto& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(spec.contains(json::json_pointer(ref.substr(1)))) << ref;
  }
}

TEST(OpenApiSpec, PathParametersAreDeclaredAndOperationsComplete) {
  const json& spec = openApiSpec();
  std::set<std::string> operationIds;
  for (const auto& [path, item] : spec["paths"].items()) {
    if (path.find("{id}") != std::string::npos) {
      ASSERT_TRUE(item.contains("parameters")) << path;
      EXPECT_EQ(item["parameters"][0]["name"], "id");
      EXPECT_EQ(item["parameters"][0]["in"], "path");
      EXPECT_TRUE(item["parameters"][0]["required"].get<bool>());
    }
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      EXPECT_TRUE(operation.contains("summary")) << method << " " << path;
      EXPECT_FALSE(operation["responses"].empty()) << method << " " << path;
      EXPECT_TRUE(operationIds.insert(operation["operationId"].get<std::string>()).second);
    }
  }
}

TEST(OpenApiSpec, ContractShapesMatchTheDesign) {
  const json& spec = openApiSpec();
  const json& schemas = spec["components"]["schemas"];
  EXPECT_EQ(schemas["Error"]["properties"]["error"]["required"], json::parse(R"(["code","message"])"));
  for (const char* field : {"id", "name", "hook", "version", "runtime", "notify_on_success",
                            "notify_on_failure", "tags", "created_at", "created_by",
                            "updated_at", "updated_by"}) {
    EXPECT_TRUE(schemas["Handler"]["properties"].contains(field)) << field;
  }
  EXPECT_FALSE(schemas["Handler"]["properties"].contains("code")) << "never the handler's code";
  for (const char* field : {"job_id", "event_id", "handler_id", "handler_version", "state",
                            "attempt", "result", "error", "history", "created_at", "started_at",
                            "finished_at"}) {
    EXPECT_TRUE(schemas["Job"]["properties"].contains(field)) << field;
  }
  EXPECT_EQ(schemas["JobState"]["enum"].size(), 8u);  // PENDING included
  EXPECT_EQ(schemas["HistoryEntry"]["properties"]["kind"]["enum"].size(), 11u);  // COALESCE included
  EXPECT_TRUE(spec["paths"]["/v1/handlers"]["post"]["responses"].contains("201"));
  EXPECT_TRUE(spec["paths"]["/v1/handlers"]["post"]["responses"].contains("200"));
  EXPECT_TRUE(spec["paths"]["/v1/events"]["post"]["responses"].contains("202"));
  EXPECT_TRUE(spec["paths"]["/v1/events"]["post"]["responses"].contains("429"));
  EXPECT_TRUE(spec["paths"]["/v1/jobs/{id}/cancel"]["post"]["responses"].contains("409"));
}

}  // namespace
}  // namespace hookhost::apidocs
