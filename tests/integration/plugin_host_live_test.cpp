// Native plugins through the real host, live: a plugin replaced and then removed while events
// keep coming, and http_forward posting to a loopback server (trusted and isolated).
#include <mutex>
#include <thread>

#include "host_fixture.hpp"
#include "http_receiver.hpp"
#include "plugin_host_fixture.hpp"

namespace hookhost::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Checks http_forward's POST and its result for a 200 and a 503 answer, however it runs.
void PluginHost::forwardsToALoopbackServer(std::map<std::string, std::string> environment) {
  HttpReceiver receiver;
  install(bundled("http_forward"), "http_forward.so");
  startHost(std::move(environment));
  registerPlugin("forward", "ctingress.on_complete", "http_forward/forward", {{"config", {{"url", receiver.url()}}}});

  auto jobs = fireAndWait("ctingress.on_complete", seedPayload());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["state"], "SUCCEEDED") << jobs;
  EXPECT_EQ(jobs[0]["result"], "POST " + receiver.url() + " answered 200 OK\n\nthanks");
  auto seen = receiver.seen();
  ASSERT_EQ(seen.size(), 1u);
  long jobId = jobs[0]["job_id"];
  EXPECT_EQ(seen[0].uri, "/hooks/in");
  EXPECT_EQ(seen[0].idempotencyKey, "hookhost-job-" + std::to_string(jobId));
  EXPECT_EQ(seen[0].hookHeader, "ctingress.on_complete");
  auto body = json::parse(seen[0].body);
  EXPECT_EQ(body["job_id"], jobId);
  EXPECT_EQ(body["user"], "alice");
  EXPECT_EQ(body["handler"], "forward");
  EXPECT_EQ(body["payload"], seedPayload());

  receiver.answer(503, "busy");
  jobs = fireAndWait("ctingress.on_complete", seedPayload());
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["state"], "FAILED");
  EXPECT_EQ(jobs[0]["error"], "POST " + receiver.url() + " answered 503 Service Unavailable: busy");
  EXPECT_EQ(receiver.seen().size(), 2u);
}

namespace {

// Fires test.hook events one after another on its own thread until told to stop (bounded in
// count and time), recording each answer's job id and payload number in firing order.
class Firehose {
 public:
  Firehose(HostProcess& host, std::string key) : host_(host), key_(std::move(key)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Firehose() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<long> jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
  }
  std::vector<int> payloads() const {
    std::lock_guard lock(mutex_);
    return payloads_;
  }
  std::size_t count() const { return jobs().size(); }
  std::vector<std::string> problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }

 private:
  void loop() {
    auto until = std::chrono::steady_clock::now() + 40s;
    for (int n = 0; n < 2000 && !stop_ && std::chrono::steady_clock::now() < until; ++n) {
      json event = {{"hook", "test.hook"}, {"payload", {{"n", n}}}};
      auto reply = host_.request("POST", "/v1/events", event, key_);
      std::lock_guard lock(mutex_);
      if (reply.status != 202 || reply.body["jobs"].size() != 1) {
        problems_.push_back(reply.raw);
        continue;
      }
      jobs_.push_back(reply.body["jobs"][0]["job_id"]);
      payloads_.push_back(n);
      // Paces the load a little; the test itself never sleeps to wait for a condition.
      std::this_thread::sleep_for(5ms);
    }
  }

  HostProcess& host_;
  std::string key_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<long> jobs_;
  std::vector<int> payloads_;
  std::vector<std::string> problems_;
  std::thread thread_;
};

TEST_F(PluginHost, ReplacingThenRemovingAPluginUnderLoadEndsEveryJobExactlyOnce) {
  install(fixture("fixture_ok_v1"), "fixture_ok.so");
  startHost();
  registerPlugin("echo", "test.hook", "fixture_ok/echo");
  auto terminal = [&](long id) {
    auto state = job(id)["state"];
    return state == "SUCCEEDED" || state == "FAILED" || state == "TIMED_OUT";
  };
  // Waits until the job fired `after` answers from now has ended; its view.
  Firehose firehose(*host_, publisherKey_);
  auto nextEnded = [&](std::size_t after) {
    std::size_t index = firehose.count() + after;
    bool ended = eventually([&] { return firehose.count() > index && terminal(firehose.jobs()[index]); }, 20s);
    return ended ? job(firehose.jobs()[index]) : json();
  };

  auto before = nextEnded(0);
  ASSERT_TRUE(before["result"].is_string()) << before << firehose.problems().size();
  EXPECT_EQ(before["result"].get<std::string>().rfind("v1 ", 0), 0u) << before;

  install(fixture("fixture_ok_v2"), "fixture_ok.so");
  ASSERT_TRUE(pluginsShow([](const json& p) { return findPlugin(p, "fixture_ok")["version"] == "2.0"; })) << plugins();
  // One request may have been in flight when the new version appeared: skip it.
  std::size_t replaced = firehose.count() + 1;
  ASSERT_FALSE(nextEnded(5).is_null());

  fs::remove(pluginsDir() / "fixture_ok.so");
  ASSERT_TRUE(pluginsShow([](const json& p) { return p["removed"] == json::array({"fixture_ok"}); })) << plugins();
  std::size_t removed = firehose.count() + 1;
  ASSERT_FALSE(nextEnded(5).is_null());
  firehose.stop();
  EXPECT_TRUE(firehose.problems().empty()) << firehose.problems().front();

  auto ids = firehose.jobs();
  auto numbers = firehose.payloads();
  ASSERT_GT(ids.size(), removed);
  EXPECT_EQ(std::set<long>(ids.begin(), ids.end()).size(), ids.size());
  const std::string removedError = "plugin 'fixture_ok' was removed from " + pluginsDir().string();
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(eventually([&] { return terminal(ids[i]); }, 20s)) << job(ids[i]);
    auto view = job(ids[i]);
    std::map<std::string, int> kinds;
    for (const auto& entry : view["history"]) ++kinds[entry["kind"]];
    EXPECT_EQ(view["attempt"], 1) << view;
    EXPECT_EQ(kinds["RUN"], 1) << view;
    EXPECT_EQ(kinds["FINISH"] + kinds["FAIL"] + kinds["TIMEOUT"], 1) << view;
    EXPECT_EQ(kinds["RETRY"], 0) << view;
    json payload = {{"n", numbers[i]}};
    std::string outcome = view["state"] == "FAILED" && view["error"] == removedError ? "removed"
                          : view["result"] == echoOf("1", view, payload)             ? "v1"
                          : view["result"] == echoOf("2", view, payload)             ? "v2"
                                                                                      : "unexpected";
    ++seen[outcome];
    if (i >= removed) EXPECT_EQ(outcome, "removed") << view;
    else if (i >= replaced) EXPECT_TRUE(outcome == "v2" || outcome == "removed") << view;
    else EXPECT_NE(outcome, "unexpected") << view;
  }
  EXPECT_GT(seen["v1"], 0);
  EXPECT_GT(seen["v2"], 0);
  EXPECT_GT(seen["removed"], 0);
  EXPECT_EQ(seen["unexpected"], 0);
}

TEST_F(PluginHost, HttpForwardTrustedPostsEachEventToALoopbackServer) {
  forwardsToALoopbackServer({{"HOOKHOST_PLUGINS_TRUSTED", "http_forward"}});
}

TEST_F(PluginHost, HttpForwardIsolatedWithSandboxNetworkPostsEachEventToALoopbackServer) {
  forwardsToALoopbackServer({{"HOOKHOST_SANDBOX_NETWORK", "true"}});
}

}  // namespace
}  // namespace hookhost::testing
