// Array fires and many jobs by id over REST against the real binary (issue 22). The host of
// EventBatch runs no jobs (dispatch.workers = 0), so what a batch recorded stays observable;
// BatchWait runs real jobs (the in-process nap plugin) to wait on.
#include <numeric>
#include <set>
#include <thread>

#include "host_fixture.hpp"
#include "plugin_files.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kMaxQueued = 1000;

nlohmann::json assemblyEvent(const std::string& genome, std::optional<std::string> key = std::nullopt) {
  nlohmann::json event = {{"hook", "staging.new_assembly"}, {"payload", {{"genome", genome}, {"database", "d"}}}};
  if (key) event["key"] = *key;
  return event;
}

nlohmann::json batchOf(int count) {
  nlohmann::json batch = nlohmann::json::array();
  for (int i = 0; i < count; ++i) batch.push_back(assemblyEvent("g" + std::to_string(i)));
  return batch;
}

std::string idList(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

std::vector<int> jobIdsOf(const nlohmann::json& jobs) {
  std::vector<int> ids;
  for (const auto& job : jobs) ids.push_back(job["job_id"]);
  return ids;
}

class EventBatch : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override {
    return {{"HOOKHOST_DISPATCH_WORKERS", "0"},
            {"HOOKHOST_DISPATCH_MAX_QUEUED", std::to_string(kMaxQueued)},
            {"HOOKHOST_HTTP_MAX_BODY_BYTES", "200000"}};
  }
  void SetUp() override {
    HostTest::SetUp();
    auto handler = host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
    ASSERT_EQ(handler.status, 201) << handler.raw;
  }
  int jobCount() { return static_cast<int>(allJobs(*host_, adminKey_).size()); }
};

TEST_F(EventBatch, AThousandEventsInOneRequestAnswerInOrder) {
  auto reply = host_->request("POST", "/v1/events", batchOf(1000), publisherKey_);
  ASSERT_EQ(reply.status, 202) << reply.raw.substr(0, 500);
  const auto& events = reply.body["events"];
  ASSERT_EQ(events.size(), 1000u);
  std::set<int> jobIds;
  for (std::size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i]["jobs"].size(), 1u) << i;
    jobIds.insert(events[i]["jobs"][0]["job_id"].get<int>());
    EXPECT_FALSE(events[i].contains("duplicate")) << i;
  }
  EXPECT_EQ(jobIds.size(), 1000u);
  // In order: element i is the event with payload g<i>.
  for (std::size_t i : {std::size_t{0}, std::size_t{517}, std::size_t{999}}) {
    auto event = host_->get("/v1/events/" + std::to_string(events[i]["event_id"].get<int>()), adminKey_);
    ASSERT_EQ(event.status, 200);
    EXPECT_EQ(event.body["payload"]["genome"], "g" + std::to_string(i));
    EXPECT_EQ(event.body["created_by"], "ingest");
  }
  EXPECT_EQ(jobCount(), 1000);

  auto tooMany = host_->request("POST", "/v1/events", batchOf(1001), publisherKey_);
  EXPECT_EQ(tooMany.status, 413) << tooMany.raw.substr(0, 300);
  EXPECT_EQ(tooMany.body["error"]["code"], "batch_too_large");
  auto empty = host_->request("POST", "/v1/events", nlohmann::json::array(), publisherKey_);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.body["error"]["code"], "empty_batch");
  EXPECT_EQ(host_->request("POST", "/v1/events?wait=1", batchOf(2), publisherKey_).status, 400);
  EXPECT_EQ(jobCount(), 1000);
}

TEST_F(EventBatch, OneBadElementRefusesTheWholeBatchByItsIndex) {
  struct Case {
    int index;
    nlohmann::json element;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {2, {{"hook", "staging.new_assembly"}, {"payload", {{"genome", 7}}}}, 422, ""},  // fails the schema
      {3, {{"hook", "no.such.hook"}, {"payload", nlohmann::json::object()}}, 404, "unknown_hook"},
      {1, "not an object", 422, "invalid_body"},
      {4, {{"hook", "staging.new_assembly"}, {"payload", {{"genome", "g"}, {"database", "d"}}}, {"tags", "x"}}, 422,
       "invalid_tags"},
  };
  for (const auto& bad : cases) {
    nlohmann::json batch = batchOf(6);
    batch[static_cast<std::size_t>(bad.index)] = bad.element;
    auto refused = host_->request("POST", "/v1/events", batch, publisherKey_);
    EXPECT_EQ(refused.status, bad.status) << refused.raw;
    EXPECT_EQ(refused.body["error"]["index"], bad.index) << refused.raw;
    if (!bad.code.empty()) {
      EXPECT_EQ(refused.body["error"]["code"], bad.code) << refused.raw;
    }
    EXPECT_NE(refused.body["error"]["message"].get<std::string>().find("element " + std::to_string(bad.index)),
              std::string::npos);
  }
  EXPECT_EQ(jobCount(), 0);
  EXPECT_EQ(host_->get("/v1/events/1", adminKey_).status, 404) << "nothing of a refused batch is recorded";
  // The same batch without the bad element goes through.
  EXPECT_EQ(host_->request("POST", "/v1/events", batchOf(6), publisherKey_).status, 202);
  EXPECT_EQ(jobCount(), 6);
}

TEST_F(EventBatch, ARepeatedKeyInsideABatchIsOneEvent) {
  nlohmann::json batch = {assemblyEvent("a", "k1"), assemblyEvent("b", "k2"), assemblyEvent("a again", "k1"),
                          assemblyEvent("c")};
  auto reply = host_->request("POST", "/v1/events", batch, publisherKey_);
  ASSERT_EQ(reply.status, 202) << reply.raw;
  const auto& events = reply.body["events"];
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2]["event_id"], events[0]["event_id"]);
  EXPECT_EQ(events[2]["jobs"], events[0]["jobs"]);
  EXPECT_EQ(events[2]["duplicate"], true);
  EXPECT_NE(events[1]["event_id"], events[0]["event_id"]);
  EXPECT_EQ(jobCount(), 3);
  auto first = host_->get("/v1/events/" + std::to_string(events[0]["event_id"].get<int>()), adminKey_);
  EXPECT_EQ(first.body["payload"]["genome"], "a");

  // Firing the keyed elements again, alone or in a batch, finds the first events.
  auto again = host_->request("POST", "/v1/events", {assemblyEvent("x", "k2"), assemblyEvent("y", "k1")}, publisherKey_);
  ASSERT_EQ(again.status, 202) << again.raw;
  EXPECT_EQ(again.body["events"][0]["event_id"], events[1]["event_id"]);
  EXPECT_EQ(again.body["events"][1]["event_id"], events[0]["event_id"]);
  EXPECT_EQ(again.body["events"][1]["duplicate"], true);
  EXPECT_EQ(jobCount(), 3);
}

TEST_F(EventBatch, TheQueueBoundCountsTheWholeBatch) {
  ASSERT_EQ(host_->request("POST", "/v1/events", batchOf(kMaxQueued - 2), publisherKey_).status, 202);
  auto refused = host_->request("POST", "/v1/events", batchOf(3), publisherKey_);
  EXPECT_EQ(refused.status, 429) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "queue_full");
  EXPECT_EQ(jobCount(), kMaxQueued - 2) << "the first two elements fitted, yet nothing of the batch is kept";
  EXPECT_EQ(host_->request("POST", "/v1/events", batchOf(2), publisherKey_).status, 202);
  EXPECT_EQ(host_->request("POST", "/v1/events", assemblyEvent("one more"), publisherKey_).status, 429);
  EXPECT_EQ(jobCount(), kMaxQueued);
}

TEST_F(EventBatch, TheBodyBoundStillHolds) {
  nlohmann::json batch = batchOf(10);
  for (auto& element : batch) element["payload"]["genome"] = std::string(30000, 'x');
  auto refused = host_->request("POST", "/v1/events", batch, publisherKey_);
  EXPECT_EQ(refused.status, 413) << refused.raw;
  EXPECT_EQ(jobCount(), 0);
}

TEST_F(EventBatch, IdsSelectJobsAndLeaveOutOthersOnes) {
  ASSERT_EQ(host_->request("POST", "/v1/handlers", pythonHandler("b", "staging.new_assembly"), otherKey_).status, 201);
  auto fired = host_->request("POST", "/v1/events", batchOf(2), publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  std::vector<int> alices, bobs;
  for (const auto& event : fired.body["events"]) {
    for (const auto& job : event["jobs"]) (job["handler"] == "h" ? alices : bobs).push_back(job["job_id"]);
  }
  ASSERT_EQ(alices.size(), 2u);
  ASSERT_EQ(bobs.size(), 2u);
  std::vector<int> all = {bobs[1], alices[0], 99999, alices[1], bobs[0], alices[0]};
  std::vector<int> sortedAll = {alices[0], alices[1], bobs[0], bobs[1]};
  std::sort(sortedAll.begin(), sortedAll.end());

  auto asAlice = host_->get("/v1/jobs?ids=" + idList(all), userKey_);
  ASSERT_EQ(asAlice.status, 200) << asAlice.raw;
  EXPECT_EQ(jobIdsOf(asAlice.body["jobs"]), alices) << "bob's jobs and the unknown id are left out";
  EXPECT_EQ(asAlice.body["jobs"][0]["state"], "QUEUED");
  EXPECT_TRUE(asAlice.body["jobs"][0].contains("result"));
  EXPECT_EQ(asAlice.body["done"], false);
  EXPECT_EQ(jobIdsOf(host_->get("/v1/jobs?ids=" + idList(all), otherKey_).body["jobs"]), bobs);
  EXPECT_EQ(jobIdsOf(host_->get("/v1/jobs?ids=" + idList(all), adminKey_).body["jobs"]), sortedAll);
  // The publisher fired the events, so it may read all their jobs (as GET /v1/jobs/{id}).
  EXPECT_EQ(jobIdsOf(host_->get("/v1/jobs?ids=" + idList(all), publisherKey_).body["jobs"]), sortedAll);
  // Only others' ids: an empty answer, not an error.
  auto none = host_->get("/v1/jobs?ids=" + idList(bobs) + "&wait=5", userKey_);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.body["jobs"].empty());

  for (const char* bad : {"/v1/jobs?ids=", "/v1/jobs?ids=1,,2", "/v1/jobs?ids=a", "/v1/jobs?ids=1&state=QUEUED",
                          "/v1/jobs?ids=1&wait=soon"}) {
    EXPECT_EQ(host_->get(bad, userKey_).status, 400) << bad;
  }
  std::vector<int> tooMany(1001);
  std::iota(tooMany.begin(), tooMany.end(), 1);
  EXPECT_EQ(host_->get("/v1/jobs?ids=" + idList(tooMany), adminKey_).status, 400);
}

TEST_F(EventBatch, WaitAnswersOnceAllAreTerminalOrTheTimeRunsOut) {
  auto fired = host_->request("POST", "/v1/events", batchOf(2), publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  const int first = fired.body["events"][0]["jobs"][0]["job_id"];
  const int second = fired.body["events"][1]["jobs"][0]["job_id"];
  ASSERT_EQ(host_->request("POST", "/v1/jobs/" + std::to_string(first) + "/cancel", nullptr, userKey_).status, 200);
  const std::string path = "/v1/jobs?ids=" + idList({first, second});

  auto started = Clock::now();
  auto mixed = host_->get(path + "&wait=0.3", userKey_);
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(300));
  ASSERT_EQ(mixed.status, 200) << mixed.raw;
  EXPECT_EQ(mixed.body["done"], false);
  EXPECT_EQ(mixed.body["jobs"][0]["state"], "CANCELLED");
  EXPECT_EQ(mixed.body["jobs"][1]["state"], "QUEUED");

  // A long wait answers as soon as the last job ends, not when its time runs out.
  HttpReply waited;
  Clock::duration took{};
  std::thread waiter([&] {
    auto from = Clock::now();
    waited = host_->get(path + "&wait=60", userKey_);
    took = Clock::now() - from;
  });
  auto cancelled = host_->request("POST", "/v1/jobs/" + std::to_string(second) + "/cancel", nullptr, userKey_);
  waiter.join();
  ASSERT_EQ(cancelled.status, 200) << cancelled.raw;
  ASSERT_EQ(waited.status, 200) << waited.raw;
  EXPECT_EQ(waited.body["done"], true);
  EXPECT_EQ(waited.body["jobs"][1]["state"], "CANCELLED");
  EXPECT_LT(took, std::chrono::seconds(30));
}

// Real jobs: a quick and a slow in-process handler, so a wait sees a mix of finished and
// running jobs and then all of them finish.
class BatchWait : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(integrationFixture("fixture_nap"))) << "build the integration_test target";
    fs::create_directories(dir_.path() / "plugins");
    installFile(integrationFixture("fixture_nap"), dir_.path() / "plugins" / "fixture_nap.so");
    host_ = std::make_unique<HostProcess>(dir_.path() / "data", std::map<std::string, std::string>{
        {"HOOKHOST_PLUGINS_DIR", (dir_.path() / "plugins").string()},
        {"HOOKHOST_PLUGINS_TRUSTED", "fixture_nap"},
        {"HOOKHOST_DISPATCH_WORKERS", "4"}});
    adminKey_ = host_->addUser("root", "admin");
    ASSERT_TRUE(host_->start()) << host_->log();
  }
  void TearDown() override {
    if (host_->running()) {
      EXPECT_EQ(host_->stop(), 0) << host_->log();
    }
  }
  void registerNap(const std::string& name, int ms) {
    nlohmann::json body = {{"name", name}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"},
                           {"plugin", "fixture_nap/nap"}, {"config", {{"ms", ms}}}, {"max_attempts", 1},
                           {"notify_on_success", ""}, {"notify_on_failure", ""}};
    auto reply = host_->request("POST", "/v1/handlers", body, adminKey_);
    ASSERT_EQ(reply.status, 201) << reply.raw;
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
  std::string adminKey_;
};

TEST_F(BatchWait, AWaitSeesFinishedAndRunningJobsThenAllFinished) {
  registerNap("quick", 0);
  registerNap("slow", 2000);
  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}};
  auto fired = host_->request("POST", "/v1/events", nlohmann::json::array({fire, fire}), adminKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  std::vector<int> ids;
  for (const auto& event : fired.body["events"]) {
    for (int id : jobIdsOf(event["jobs"])) ids.push_back(id);
  }
  ASSERT_EQ(ids.size(), 4u);
  const std::string path = "/v1/jobs?ids=" + idList(ids);

  auto mixed = host_->get(path + "&wait=0.5", adminKey_);
  ASSERT_EQ(mixed.status, 200) << mixed.raw;
  EXPECT_EQ(mixed.body["done"], false) << mixed.raw;
  std::map<std::string, int> states;
  for (const auto& job : mixed.body["jobs"]) ++states[job["handler"].get<std::string>() + " " + job["state"].get<std::string>()];
  EXPECT_EQ(states["quick SUCCEEDED"], 2) << mixed.raw;
  EXPECT_EQ(states["slow SUCCEEDED"], 0) << mixed.raw;

  auto started = Clock::now();
  auto finished = host_->get(path + "&wait=30", adminKey_);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(20));
  ASSERT_EQ(finished.status, 200) << finished.raw;
  EXPECT_EQ(finished.body["done"], true) << finished.raw;
  ASSERT_EQ(finished.body["jobs"].size(), 4u);
  for (const auto& job : finished.body["jobs"]) {
    EXPECT_EQ(job["state"], "SUCCEEDED") << job.dump();
    EXPECT_NE(job["result"].get<std::string>().find("napped"), std::string::npos) << job.dump();
  }
}

}  // namespace
}  // namespace hookhost::testing
