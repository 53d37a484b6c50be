#pragma once
// A host with the fixture_flow plugin trusted (in-process) and the catalog plus test.hook,
// for the coalescing and chain suites (issue 14).
#include <gtest/gtest.h>

#include <memory>

#include "host_process.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {

class FlowHost : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(integrationFixture("fixture_flow"))) << "build the fixture_flow target";
    std::filesystem::create_directories(dir_.path() / "plugins");
    writeHooksDir(dir_.path() / "hooks");
    installFile(integrationFixture("fixture_flow"), dir_.path() / "plugins" / "fixture_flow.so");
    host_ = std::make_unique<HostProcess>(dir_.path() / "data", environment());
    userKey_ = host_->addUser("alice", "user");
    otherKey_ = host_->addUser("bob", "user");
    publisherKey_ = host_->addUser("ingest", "publisher");
    adminKey_ = host_->addUser("root", "admin");
    ASSERT_FALSE(adminKey_.empty());
    ASSERT_TRUE(host_->start()) << host_->log();
  }
  void TearDown() override {
    if (host_ && host_->running()) EXPECT_EQ(host_->stop(), 0) << host_->log();
  }
  std::map<std::string, std::string> environment() const {
    return {{"HOOKHOST_PLUGINS_DIR", (dir_.path() / "plugins").string()},
            {"HOOKHOST_HOOKS_DIR", (dir_.path() / "hooks").string()},
            {"HOOKHOST_PLUGINS_TRUSTED", "fixture_flow"},
            // 50 simultaneous fires from this one client: above the default per-client
            // connection cap (32), which http_connections_test covers.
            {"HOOKHOST_HTTP_MAX_CONNECTIONS_PER_CLIENT", "64"}};
  }

  /// Registers fixture_flow/<handler> as alice; 201 expected.
  nlohmann::json registerFlow(const std::string& name, const std::string& hook, const std::string& handler,
                              nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body = {{"name", name}, {"hook", hook}, {"runtime", "plugin"},
                           {"plugin", "fixture_flow/" + handler}, {"notify_on_failure", "alice@example.com"}};
    body.update(extra);
    auto reply = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.body;
  }
  /// Fires; returns the one job id the fire answered (0 when not one).
  long fire(const std::string& hook, const nlohmann::json& payload) {
    auto reply = host_->request("POST", "/v1/events", {{"hook", hook}, {"payload", payload}}, publisherKey_);
    EXPECT_EQ(reply.status, 202) << reply.raw;
    if (reply.status != 202 || reply.body["jobs"].size() != 1) return 0;
    return reply.body["jobs"][0]["job_id"].get<long>();
  }
  nlohmann::json job(long id) { return host_->get("/v1/jobs/" + std::to_string(id), adminKey_).body; }
  /// Waits (bounded) until the job is in `state`; the job as it is then.
  nlohmann::json awaitState(long id, const std::string& state, std::chrono::milliseconds within = std::chrono::seconds(20)) {
    nlohmann::json seen;
    eventually([&] {
      seen = job(id);
      return seen.value("state", "") == state;
    }, within);
    return seen;
  }
  /// The history entries of `kind`.
  static std::vector<nlohmann::json> entries(const nlohmann::json& job, const std::string& kind) {
    std::vector<nlohmann::json> found;
    for (const auto& entry : job["history"]) {
      if (entry["kind"] == kind) found.push_back(entry);
    }
    return found;
  }
  /// The events a fixture_flow/events run answered with (its ctx.events).
  static nlohmann::json ranWith(const nlohmann::json& job) {
    return job["result"].is_string() ? nlohmann::json::parse(job["result"].get<std::string>()) : nlohmann::json();
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
  std::string userKey_, otherKey_, publisherKey_, adminKey_;
};

/// Seconds between two RFC 3339 UTC timestamps of the API ("2026-12-01T23:59:59.123456Z").
double secondsBetween(const std::string& from, const std::string& to);

}  // namespace hookhost::testing
