// The handler registry over REST, against the real binary (issue 2).
#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

using RegistryApi = HostTest;

TEST_F(RegistryApi, ListsTheBundledHooksWithTheirSchemas) {
  auto reply = host_->get("/v1/hooks", userKey_);
  ASSERT_EQ(reply.status, 200) << reply.raw;
  std::vector<std::string> names;
  for (const auto& hook : reply.body) {
    names.push_back(hook["name"]);
    EXPECT_TRUE(hook["description"].is_string());
    EXPECT_TRUE(hook["payload_schema"].is_object());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"ctingress.on_complete", "staging.genome_updated", "staging.new_assembly",
                                             "staging.new_genebuild", "staging.new_xrefs"}));
}

TEST_F(RegistryApi, RegistersListsAndDeregistersAHandler) {
  auto created = host_->request("POST", "/v1/handlers", pythonHandler("trivial-handler"), userKey_);
  ASSERT_EQ(created.status, 201) << created.raw;
  const auto& handler = created.body;
  EXPECT_EQ(handler["name"], "trivial-handler");
  EXPECT_EQ(handler["hook"], "ctingress.on_complete");
  EXPECT_EQ(handler["version"], 1);
  EXPECT_EQ(handler["runtime"], "python");
  EXPECT_EQ(handler["tags"], nlohmann::json({"demo", "anomaly-detection"}));
  EXPECT_EQ(handler["created_by"], "alice");
  EXPECT_EQ(handler["updated_by"], "alice");
  EXPECT_FALSE(handler.contains("code"));
  for (const char* field : {"id", "notify_on_success", "notify_on_failure", "created_at", "updated_at"}) {
    EXPECT_TRUE(handler.contains(field)) << field;
  }
  std::string id = std::to_string(handler["id"].get<int>());

  auto one = host_->get("/v1/handlers/" + id, otherKey_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body, handler);

  auto listed = host_->get("/v1/handlers", otherKey_);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body.size(), 1u);
  EXPECT_EQ(listed.body[0], handler);

  auto deleted = host_->request("DELETE", "/v1/handlers/" + id, nullptr, userKey_);
  ASSERT_EQ(deleted.status, 200) << deleted.raw;
  EXPECT_EQ(deleted.body, nlohmann::json({{"deleted", true}}));
  EXPECT_EQ(host_->get("/v1/handlers/" + id, userKey_).status, 404);
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
}

TEST_F(RegistryApi, RegisteringTheSamePairAgainReplacesItAndBumpsTheVersion) {
  auto first = host_->request("POST", "/v1/handlers", pythonHandler("h"), userKey_);
  ASSERT_EQ(first.status, 201);
  auto body = pythonHandler("h");
  body["tags"] = {"red"};
  auto second = host_->request("POST", "/v1/handlers", body, userKey_);
  ASSERT_EQ(second.status, 200) << second.raw;
  EXPECT_EQ(second.body["id"], first.body["id"]);
  EXPECT_EQ(second.body["version"], 2);
  EXPECT_EQ(second.body["tags"], nlohmann::json({"red"}));
  EXPECT_EQ(second.body["created_at"], first.body["created_at"]);

  // The same name on another hook is another handler.
  auto elsewhere = host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  ASSERT_EQ(elsewhere.status, 201);
  EXPECT_NE(elsewhere.body["id"], first.body["id"]);

  // Only the owner or an admin replaces; the admin's replacement keeps the owner.
  auto stranger = host_->request("POST", "/v1/handlers", body, otherKey_);
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(stranger.body["error"]["code"], "not_owner");
  auto byAdmin = host_->request("POST", "/v1/handlers", body, adminKey_);
  ASSERT_EQ(byAdmin.status, 200);
  EXPECT_EQ(byAdmin.body["version"], 3);
  EXPECT_EQ(byAdmin.body["created_by"], "alice");
  EXPECT_EQ(byAdmin.body["updated_by"], "root");
}

TEST_F(RegistryApi, FiltersByHooks) {
  host_->request("POST", "/v1/handlers", pythonHandler("a"), userKey_);
  host_->request("POST", "/v1/handlers", pythonHandler("b", "staging.new_assembly"), userKey_);
  host_->request("POST", "/v1/handlers", pythonHandler("c", "staging.new_xrefs"), userKey_);
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const auto& handler : host_->get("/v1/handlers" + query, userKey_).body) out.push_back(handler["name"]);
    return out;
  };
  EXPECT_EQ(names(""), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(names("?hook=ctingress.on_complete"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(names("?hook=ctingress.on_complete&hook=staging.new_xrefs"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(names("?hooks=staging.new_assembly"), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(names("?hook=no.such.hook").empty());
}

TEST_F(RegistryApi, OnlyTheOwnerOrAnAdminDeregisters) {
  auto created = host_->request("POST", "/v1/handlers", pythonHandler("mine"), userKey_);
  std::string path = "/v1/handlers/" + std::to_string(created.body["id"].get<int>());
  auto refused = host_->request("DELETE", path, nullptr, otherKey_);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["error"]["code"], "not_owner");
  EXPECT_EQ(host_->get(path, userKey_).status, 200);
  EXPECT_EQ(host_->request("DELETE", path, nullptr, adminKey_).status, 200);
  EXPECT_EQ(host_->request("DELETE", path, nullptr, adminKey_).status, 404);
}

TEST_F(RegistryApi, HandlersAndTheirCodeSurviveARestart) {
  auto created = host_->request("POST", "/v1/handlers", pythonHandler("durable"), userKey_);
  ASSERT_EQ(created.status, 201);
  ASSERT_EQ(host_->stop(), 0) << host_->log();
  ASSERT_TRUE(host_->start()) << host_->log();
  auto listed = host_->get("/v1/handlers", userKey_);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body.size(), 1u);
  EXPECT_EQ(listed.body[0], created.body);
  // The key issued before the restart still works, and the version continues.
  auto replaced = host_->request("POST", "/v1/handlers", pythonHandler("durable"), userKey_);
  EXPECT_EQ(replaced.body["version"], 2);
}

}  // namespace
}  // namespace hookhost::testing
