#pragma once
// The fixture of the repair suites (issue 15): a host with the fixture_verdict plugin
// trusted in-process (its registration decides whether it fails) and Python handlers in the
// sandbox; alice owns the handlers, bob is another user.
#include <chrono>
#include <string>
#include <vector>

#include "host_fixture.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {

class RepairHost : public HostTest {
 protected:
  static constexpr const char* kHook = "ctingress.on_complete";

  std::map<std::string, std::string> environment() override {
    std::filesystem::create_directories(dir_.path() / "plugins");
    installFile(integrationFixture("fixture_verdict"), dir_.path() / "plugins" / "fixture_verdict.so");
    return {{"HOOKHOST_PLUGINS_DIR", (dir_.path() / "plugins").string()},
            {"HOOKHOST_PLUGINS_TRUSTED", "fixture_verdict"}};
  }

  /// Registers (or replaces) alice's verdict handler: failing with `fail` unless it is
  /// empty, else answering "<label> <File>". Returns the handler as answered.
  nlohmann::json registerVerdict(const std::string& fail, const std::string& label = "ok",
                                 const std::string& name = "verdict") {
    nlohmann::json config = {{"label", label}};
    if (!fail.empty()) config["fail"] = fail;
    nlohmann::json body = {{"name", name},          {"hook", kHook},
                           {"runtime", "plugin"},   {"plugin", "fixture_verdict/verdict"},
                           {"config", config},      {"notify_on_success", "alice@example.com"},
                           {"notify_on_failure", "alice@example.com"}, {"max_attempts", 1}};
    auto reply = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_TRUE(reply.status == 201 || reply.status == 200) << reply.raw;
    return reply.body;
  }

  /// Fires `count` seed events, one request each; returns their job ids, in order.
  std::vector<int> fire(int count) {
    std::vector<int> ids;
    for (int i = 0; i < count; ++i) {
      auto reply = host_->request("POST", "/v1/events", {{"hook", kHook}, {"payload", seedPayload()}}, publisherKey_);
      EXPECT_EQ(reply.status, 202) << reply.raw;
      if (reply.status != 202) break;
      for (const auto& job : reply.body["jobs"]) ids.push_back(job["job_id"].get<int>());
    }
    return ids;
  }

  nlohmann::json job(int id) { return host_->get("/v1/jobs/" + std::to_string(id), adminKey_).body; }

  /// Waits (bounded) for the job to end; returns it as it is then.
  nlohmann::json finished(int id, std::chrono::seconds within = std::chrono::seconds(30)) {
    nlohmann::json current;
    eventually(
        [&] {
          current = job(id);
          const std::string state = current.value("state", "");
          return state == "SUCCEEDED" || state == "FAILED" || state == "TIMED_OUT" || state == "CANCELLED";
        },
        within);
    return current;
  }

  /// How many of the handler's jobs are in `state` (up to 1,000 a page, 20 pages).
  int countJobs(int handlerId, const std::string& state) {
    int count = 0;
    std::string after = "0";
    for (int page = 0; page < 20; ++page) {
      auto reply = host_->get("/v1/jobs?limit=1000&handler_id=" + std::to_string(handlerId) + "&state=" + state +
                                  "&after=" + after,
                              adminKey_);
      if (reply.status != 200) return -1;
      count += static_cast<int>(reply.body["jobs"].size());
      if (reply.body["next"].is_null()) break;
      after = reply.body["next"].get<std::string>();
    }
    return count;
  }

  int allJobCount() { return static_cast<int>(allJobs(*host_, adminKey_).size()); }

  HttpReply rerun(int jobId, const nlohmann::json& body, const std::string& key) {
    return host_->request("POST", "/v1/jobs/" + std::to_string(jobId) + "/rerun", body, key);
  }
};

}  // namespace hookhost::testing
