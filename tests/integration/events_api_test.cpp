// Events and jobs over REST against the real binary (issue 3). The host here runs no
// jobs (dispatch.workers = 0), so queued states can be observed; running them is tested
// with real executors in the plugin and sandbox suites.
#include <thread>

#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

class EventsApi : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override {
    // 50 simultaneous fires from one client below: above the default per-client connection
    // cap (32), which http_connections_test covers; this suite is about idempotency.
    return {{"HOOKHOST_DISPATCH_WORKERS", "0"},
            {"HOOKHOST_DISPATCH_MAX_QUEUED", "5"},
            {"HOOKHOST_HTTP_MAX_CONNECTIONS_PER_CLIENT", "64"}};
  }
  nlohmann::json assemblyEvent(std::optional<std::string> key = std::nullopt) {
    nlohmann::json event = {{"hook", "staging.new_assembly"}, {"payload", {{"genome", "g"}, {"database", "d"}}}};
    if (key) event["key"] = *key;
    return event;
  }
};

TEST_F(EventsApi, FiringAnswers202WithOneJobPerMatchingHandler) {
  auto handler = host_->request("POST", "/v1/handlers", pythonHandler("demo", "ctingress.on_complete"), userKey_);
  nlohmann::json event = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}, {"tags", {"demo"}}};
  auto fired = host_->request("POST", "/v1/events", event, publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  ASSERT_EQ(fired.body["jobs"].size(), 1u);
  EXPECT_EQ(fired.body["jobs"][0]["handler_id"], handler.body["id"]);
  EXPECT_EQ(fired.body["jobs"][0]["handler"], "demo");

  event["tags"] = {"other"};
  auto none = host_->request("POST", "/v1/events", event, publisherKey_);
  ASSERT_EQ(none.status, 202);
  EXPECT_TRUE(none.body["jobs"].empty());
  EXPECT_EQ(host_->get("/v1/events/" + std::to_string(none.body["event_id"].get<int>()), adminKey_).status, 200);

  std::string jobPath = "/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<int>());
  auto job = host_->get(jobPath, userKey_);
  ASSERT_EQ(job.status, 200) << job.raw;
  EXPECT_EQ(job.body["state"], "QUEUED");
  EXPECT_EQ(job.body["attempt"], 0);
  EXPECT_EQ(job.body["history"][0]["kind"], "CREATE");
  for (const char* field : {"job_id", "event_id", "handler_id", "handler_version", "state", "attempt", "result",
                            "error", "history", "created_at", "started_at", "finished_at"}) {
    EXPECT_TRUE(job.body.contains(field)) << field;
  }
  // Another user's handler's job is not bob's to read; the publisher who fired it may.
  EXPECT_EQ(host_->get(jobPath, otherKey_).status, 403);
  EXPECT_EQ(host_->get(jobPath, publisherKey_).status, 200);

  auto eventView = host_->get("/v1/events/" + std::to_string(fired.body["event_id"].get<int>()), userKey_);
  ASSERT_EQ(eventView.status, 200);
  EXPECT_EQ(eventView.body["hook"], "ctingress.on_complete");
  EXPECT_EQ(eventView.body["created_by"], "ingest");
  EXPECT_EQ(eventView.body["jobs"][0]["state"], "QUEUED");
}

TEST_F(EventsApi, ARepeatedKeyReturnsTheFirstEventEvenUnderConcurrency) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  std::vector<HttpReply> replies(50);
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      replies[static_cast<std::size_t>(i)] = host_->request("POST", "/v1/events", assemblyEvent("genebuild-7"), publisherKey_);
    });
  }
  for (auto& thread : threads) thread.join();
  int created = 0;
  for (const auto& reply : replies) {
    ASSERT_TRUE(reply.status == 202 || reply.status == 200) << reply.raw;
    created += reply.status == 202;
    EXPECT_EQ(reply.body["event_id"], replies[0].body["event_id"]);
    EXPECT_EQ(reply.body["jobs"], replies[0].body["jobs"]);
  }
  EXPECT_EQ(created, 1);
  auto jobs = host_->get("/v1/jobs", adminKey_);
  EXPECT_EQ(jobs.body["jobs"].size(), 1u);
}

TEST_F(EventsApi, PastMaxQueuedFiresAre429AndRecordNothing) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_).status, 202);
  auto refused = host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_);
  EXPECT_EQ(refused.status, 429) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "queue_full");
  EXPECT_EQ(host_->get("/v1/events/6", adminKey_).status, 404);
  // Cancelling makes room again.
  ASSERT_EQ(host_->request("POST", "/v1/jobs/1/cancel", nullptr, userKey_).status, 200);
  EXPECT_EQ(host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_).status, 202);
}

TEST_F(EventsApi, CancelAQueuedJobOnceAndOnlyIfYours) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_);
  EXPECT_EQ(host_->request("POST", "/v1/jobs/1/cancel", nullptr, otherKey_).status, 403);
  auto cancelled = host_->request("POST", "/v1/jobs/1/cancel", nullptr, userKey_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.raw;
  EXPECT_EQ(cancelled.body["state"], "CANCELLED");
  auto again = host_->request("POST", "/v1/jobs/1/cancel", nullptr, userKey_);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body["error"]["code"], "job_not_queued");
  auto job = host_->get("/v1/jobs/1", userKey_);
  EXPECT_EQ(job.body["history"].back()["kind"], "CANCEL");
}

TEST_F(EventsApi, JobsArePagedWithACursorAndFiltered) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  for (int i = 0; i < 5; ++i) host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_);
  std::vector<int> ids;
  std::string path = "/v1/jobs?limit=2";
  for (int page = 0; page < 10; ++page) {
    auto reply = host_->get(path, userKey_);
    ASSERT_EQ(reply.status, 200) << reply.raw;
    for (const auto& job : reply.body["jobs"]) ids.push_back(job["job_id"]);
    if (reply.body["next"].is_null()) break;
    path = "/v1/jobs?limit=2&after=" + reply.body["next"].get<std::string>();
  }
  EXPECT_EQ(ids, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(host_->get("/v1/jobs?state=QUEUED&event_id=3", userKey_).body["jobs"].size(), 1u);
  EXPECT_TRUE(host_->get("/v1/jobs", otherKey_).body["jobs"].empty()) << "bob has no handlers";
  auto unknownState = host_->get("/v1/jobs?state=DONE", userKey_);
  EXPECT_EQ(unknownState.status, 400);
  EXPECT_EQ(unknownState.body["error"]["code"], "invalid_state");
  EXPECT_NE(unknownState.raw.find("PENDING, QUEUED, RUNNING, WAITING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED"),
            std::string::npos) << unknownState.raw;
  EXPECT_EQ(host_->get("/v1/jobs?state=PENDING", userKey_).status, 200);
  EXPECT_EQ(host_->get("/v1/jobs?limit=0", userKey_).status, 400);
}

TEST_F(EventsApi, JobsAreFilteredByHookAndCreationTime) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  for (int i = 0; i < 3; ++i) host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_);
  auto count = [&](const std::string& filters) {
    auto reply = host_->get("/v1/jobs?" + filters, userKey_);
    EXPECT_EQ(reply.status, 200) << filters << ": " << reply.raw;
    return reply.body["jobs"].size();
  };
  EXPECT_EQ(count("hook=staging.new_assembly"), 3u);
  EXPECT_EQ(count("hook=ctingress.on_complete"), 0u);
  EXPECT_EQ(count("since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z"), 3u);
  EXPECT_EQ(count("since=2999-01-01T00:00:00Z"), 0u);
  EXPECT_EQ(count("until=2000-01-01T00:00:00Z&hook=staging.new_assembly"), 0u);
  auto unknown = host_->get("/v1/jobs?hook=no.such_hook", userKey_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"]["code"], "unknown_hook");
  auto badTime = host_->get("/v1/jobs?since=yesterday", userKey_);
  EXPECT_EQ(badTime.status, 400);
  EXPECT_EQ(badTime.body["error"]["code"], "invalid_since");
}

TEST_F(EventsApi, ACallbackNeedsTheJobsToken) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  host_->request("POST", "/v1/events", assemblyEvent(), publisherKey_);
  nlohmann::json callback = {{"token", "guess"}, {"event", "finish"}, {"data", {{"result", "x"}}}};
  auto refused = host_->request("POST", "/v1/jobs/1/callback", callback, "");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["error"]["code"], "invalid_token");
  callback["event"] = "explode";
  EXPECT_EQ(host_->request("POST", "/v1/jobs/1/callback", callback, "").status, 422);
  EXPECT_EQ(host_->get("/v1/jobs/1", userKey_).body["state"], "QUEUED");
}

TEST_F(EventsApi, WaitReturnsTheCurrentStatesWhenTheTimeRunsOut) {
  host_->request("POST", "/v1/handlers", pythonHandler("h", "staging.new_assembly"), userKey_);
  auto reply = host_->request("POST", "/v1/events?wait=0.3", assemblyEvent(), publisherKey_);
  ASSERT_EQ(reply.status, 202) << reply.raw;
  EXPECT_EQ(reply.body["done"], false);
  EXPECT_EQ(reply.body["jobs"][0]["state"], "QUEUED");
  EXPECT_EQ(host_->request("POST", "/v1/events?wait=soon", assemblyEvent(), publisherKey_).status, 400);
}

}  // namespace
}  // namespace hookhost::testing
