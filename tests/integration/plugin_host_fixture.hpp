#pragma once
// The fixture of the native plugin suites through the real host
// (plugin_host_test.cpp, plugin_host_live_test.cpp): a host with its own
// plugins and hooks folders, alice's plugin handlers, events fired and waited
// for.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "host_process.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {

class PluginHost : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& built : {hookhostBinary(), buildDir() / "bin/hookhost-plugin-worker", fixture("fixture_ok_v1"),
                              bundled("comtrade_summary")}) {
      ASSERT_TRUE(std::filesystem::exists(built)) << built
                                                  << " is missing: build the plugin fixtures, the worker and the "
                                                     "bundled plugins (all targets) before this suite";
    }
    std::filesystem::create_directories(pluginsDir());
    writeHooksDir(hooksDir());
  }

  void TearDown() override {
    if (host_ && host_->running()) {
      EXPECT_EQ(host_->stop(), 0) << host_->log();
    }
  }

  std::filesystem::path pluginsDir() const { return dir_.path() / "plugins"; }
  std::filesystem::path hooksDir() const { return dir_.path() / "hooks"; }
  void install(const std::filesystem::path& from, const std::string& name) { installFile(from, pluginsDir() / name); }

  void startHost(std::map<std::string, std::string> environment = {}) {
    environment["HOOKHOST_PLUGINS_DIR"] = pluginsDir().string();
    environment["HOOKHOST_HOOKS_DIR"] = hooksDir().string();
    host_ = std::make_unique<HostProcess>(dir_.path() / "data", environment);
    userKey_ = host_->addUser("alice", "user");
    publisherKey_ = host_->addUser("ingest", "publisher");
    adminKey_ = host_->addUser("root", "admin");
    ASSERT_FALSE(adminKey_.empty());
    ASSERT_TRUE(host_->start()) << host_->log();
  }

  nlohmann::json plugins() { return host_->get("/v1/plugins", adminKey_).body; }

  // Waits (bounded) until GET /v1/plugins satisfies `condition`.
  bool pluginsShow(const std::function<bool(const nlohmann::json&)>& condition,
                   std::chrono::milliseconds within = std::chrono::seconds(10)) {
    return eventually([&] { return condition(plugins()); }, within);
  }
  static nlohmann::json findPlugin(const nlohmann::json& listing, const std::string& name) {
    for (const auto& plugin : listing["plugins"]) {
      if (plugin["name"] == name) return plugin;
    }
    return nullptr;
  }

  // Registers "<plugin>/<handler>" as alice; every fault test selects its
  // handler by tag.
  nlohmann::json registerPlugin(const std::string& name, const std::string& hook, const std::string& plugin,
                                nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body = {{"name", name},
                           {"hook", hook},
                           {"runtime", "plugin"},
                           {"plugin", plugin},
                           {"notify_on_success", "alice@example.com"},
                           {"notify_on_failure", "alice@example.com"},
                           {"max_attempts", 1}};
    body.update(extra);
    auto reply = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.body;
  }

  // Fires and waits for the jobs to end; their states and results, in job id
  // order.
  nlohmann::json fireAndWait(const std::string& hook, const nlohmann::json& payload,
                             const nlohmann::json& tags = nlohmann::json::array()) {
    nlohmann::json event = {{"hook", hook}, {"payload", payload}, {"tags", tags}};
    auto reply = host_->request("POST", "/v1/events?wait=30", event, publisherKey_);
    EXPECT_EQ(reply.status, 202) << reply.raw;
    EXPECT_EQ(reply.body.value("done", false), true) << reply.raw;
    return reply.body["jobs"];
  }

  nlohmann::json job(long id) { return host_->get("/v1/jobs/" + std::to_string(id), adminKey_).body; }

  static std::string echoOf(const std::string& version, const nlohmann::json& jobView, const nlohmann::json& payload) {
    return "v" + version + " test.hook job " + std::to_string(jobView["job_id"].get<long>()) +
           " attempt 1 user alice: " + payload.dump();
  }

  void forwardsToALoopbackServer(std::map<std::string, std::string> environment);

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
  std::string adminKey_, userKey_, publisherKey_;
};

}  // namespace hookhost::testing
