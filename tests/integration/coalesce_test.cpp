// Coalescing windows through the real host (issue 14): events with equal key values gather
// in one PENDING job, which runs once, after its window closes, with all of them.
#include <ctime>
#include <thread>

#include "coalesce_fixture.hpp"

namespace hookhost::testing {

double secondsBetween(const std::string& from, const std::string& to) {
  auto seconds = [](const std::string& text) {
    std::tm tm{};
    double fraction = 0;
    int second = 0;
    std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                &second, &fraction);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = second;
    return static_cast<double>(timegm(&tm)) + fraction;
  };
  return seconds(to) - seconds(from);
}

namespace {

nlohmann::json coalesce(double quiet, double maxWait, bool afterChain = false) {
  return {{"coalesce", {{"key", {"/k"}}, {"quiet_s", quiet}, {"max_wait_s", maxWait}, {"after_chain", afterChain}}}};
}

class Coalescing : public FlowHost {};

TEST_F(Coalescing, RegistrationKeepsAndShowsTheSettingsAndRefusesBadOnes) {
  auto handler = registerFlow("gather", "test.hook", "events", coalesce(0.5, 2));
  EXPECT_EQ(handler["coalesce"]["key"], nlohmann::json({"/k"}));
  auto shown = host_->get("/v1/handlers/" + std::to_string(handler["id"].get<long>()), userKey_);
  EXPECT_EQ(shown.body["coalesce"]["quiet_s"], 0.5);
  EXPECT_EQ(shown.body["coalesce"]["max_wait_s"], 2.0);
  EXPECT_EQ(shown.body["coalesce"]["after_chain"], false);
  // Replacing with the settings keeps them on the new version.
  nlohmann::json body = {{"name", "gather"}, {"hook", "test.hook"}, {"runtime", "plugin"},
                         {"plugin", "fixture_flow/events"}};
  body.update(coalesce(0.5, 2, true));
  auto replaced = host_->request("POST", "/v1/handlers", body, userKey_);
  ASSERT_EQ(replaced.status, 200) << replaced.raw;
  EXPECT_EQ(replaced.body["version"], 2);
  EXPECT_EQ(replaced.body["coalesce"]["after_chain"], true);

  for (const auto& [bad, part] : std::vector<std::pair<nlohmann::json, std::string>>{
           {{{"key", nlohmann::json::array()}}, "coalesce.key"},
           {{{"key", {"genome"}}}, "coalesce.key[0]"},
           {{{"key", {"/k"}}, {"quiet_s", 0}}, "coalesce.quiet_s"},
           {{{"key", {"/k"}}, {"quiet_s", 5}, {"max_wait_s", 1}}, "coalesce.max_wait_s"},
           {{{"key", {"/k"}}, {"after_chain", "yes"}}, "coalesce.after_chain"},
           {{{"key", {"/k"}}, {"quiet", 1}}, "coalesce.quiet"},
           {"often", "coalesce"}}) {
    body["coalesce"] = bad;
    auto refused = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_EQ(refused.status, 422) << bad;
    EXPECT_EQ(refused.body["error"]["code"], "invalid_coalesce");
    EXPECT_EQ(refused.body["error"]["message"].get<std::string>().rfind(part + ":", 0), 0u) << refused.raw;
  }
  EXPECT_EQ(host_->get("/v1/handlers/" + std::to_string(handler["id"].get<long>()), userKey_).body["version"], 2);
}

TEST_F(Coalescing, AnEventInTheQuietWindowExtendsItAndTheJobRunsOnceWithBoth) {
  // Windows are long enough for a loaded test machine to fire twice within them.
  registerFlow("gather", "test.hook", "events", coalesce(2.0, 30));
  long first = fire("test.hook", {{"k", "g1"}, {"n", 1}});
  ASSERT_GT(first, 0);
  EXPECT_EQ(job(first)["state"], "PENDING");
  EXPECT_EQ(fire("test.hook", {{"k", "g1"}, {"n", 2}}), first);
  auto done = awaitState(first, "SUCCEEDED");
  ASSERT_EQ(done["state"], "SUCCEEDED") << done;
  auto events = ranWith(done);
  ASSERT_EQ(events.size(), 2u) << done;
  EXPECT_EQ(events[0]["payload"]["n"], 1);
  EXPECT_EQ(events[1]["payload"]["n"], 2);
  auto gathered = entries(done, "COALESCE");
  ASSERT_EQ(gathered.size(), 2u);
  EXPECT_EQ(entries(done, "RUN").size(), 1u);
  // It closed a quiet window after the second event, not after the first.
  std::string closed;
  for (const auto& entry : entries(done, "UPDATE")) {
    if (entry["data"].value("coalescing", "") == "window closed") closed = entry["at"];
  }
  ASSERT_FALSE(closed.empty()) << done;
  EXPECT_GE(secondsBetween(gathered[1]["at"], closed), 1.99);
  EXPECT_GE(secondsBetween(gathered[0]["at"], closed),
            secondsBetween(gathered[0]["at"], gathered[1]["at"]) + 1.99);
}

TEST_F(Coalescing, AReRunOfACoalescedJobRunsWithEveryEventItGathered) {
  registerFlow("gather", "test.hook", "events", coalesce(2.0, 30));
  long first = fire("test.hook", {{"k", "again"}, {"n", 1}});
  ASSERT_GT(first, 0);
  ASSERT_EQ(fire("test.hook", {{"k", "again"}, {"n", 2}}), first);
  ASSERT_EQ(awaitState(first, "SUCCEEDED")["state"], "SUCCEEDED");
  auto rerun = host_->request("POST", "/v1/jobs/" + std::to_string(first) + "/rerun", nlohmann::json::object(), userKey_);
  ASSERT_EQ(rerun.status, 202) << rerun.raw;
  auto done = awaitState(rerun.body["job_id"].get<long>(), "SUCCEEDED");
  ASSERT_EQ(done["state"], "SUCCEEDED") << done;
  auto events = ranWith(done);
  ASSERT_EQ(events.size(), 2u) << done;
  EXPECT_EQ(events[0]["payload"]["n"], 1);
  EXPECT_EQ(events[1]["payload"]["n"], 2);
}

TEST_F(Coalescing, MaxWaitClosesAWindowThatKeepsGettingEvents) {
  registerFlow("gather", "test.hook", "events", coalesce(1.0, 2.0));
  long jobId = fire("test.hook", {{"k", "busy"}});
  ASSERT_GT(jobId, 0);
  // Events come faster than the quiet time for as long as the window is open.
  int fired = 1;
  for (; fired < 2000 && job(jobId)["state"] == "PENDING"; ++fired) {
    long joined = fire("test.hook", {{"k", "busy"}});
    if (joined != jobId) break;
  }
  auto done = awaitState(jobId, "SUCCEEDED");
  ASSERT_EQ(done["state"], "SUCCEEDED") << done;
  std::string closedBy, closedAt;
  for (const auto& entry : entries(done, "UPDATE")) {
    if (entry["data"].value("coalescing", "") == "window closed") {
      closedBy = entry["data"].value("closed_by", "");
      closedAt = entry["at"];
    }
  }
  EXPECT_EQ(closedBy, "max_wait_s") << done;
  const double open = secondsBetween(entries(done, "COALESCE").front()["at"], closedAt);
  EXPECT_GE(open, 1.99);
  EXPECT_LT(open, 2.0 + 1.0);
  EXPECT_EQ(ranWith(done).size(), entries(done, "COALESCE").size());
  // The next event opens a new window.
  EXPECT_NE(fire("test.hook", {{"k", "busy"}}), jobId);
}

TEST_F(Coalescing, TwoKeysMakeTwoJobsAndAnEventWithoutTheKeyRunsAlone) {
  registerFlow("gather", "test.hook", "events", coalesce(2.0, 10));
  long a = fire("test.hook", {{"k", "a"}});
  long b = fire("test.hook", {{"k", "b"}});
  EXPECT_EQ(fire("test.hook", {{"k", "a"}}), a);
  EXPECT_NE(a, b);
  long lone1 = fire("test.hook", {{"other", 1}});
  long lone2 = fire("test.hook", {{"other", 2}});
  EXPECT_NE(lone1, lone2);
  auto created = job(lone1)["history"][0];
  EXPECT_EQ(created["kind"], "CREATE");
  EXPECT_EQ(created["data"]["coalesce"]["coalesced"], false);
  EXPECT_EQ(created["data"]["coalesce"]["reason"], "the payload has no /k");
  EXPECT_EQ(ranWith(awaitState(a, "SUCCEEDED")).size(), 2u);
  EXPECT_EQ(ranWith(awaitState(b, "SUCCEEDED")).size(), 1u);
  auto alone = ranWith(awaitState(lone1, "SUCCEEDED"));
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0]["payload"]["other"], 1);
}

TEST_F(Coalescing, APendingJobCanBeCancelledAndTheNextEventOpensANewWindow) {
  registerFlow("gather", "test.hook", "events", coalesce(30, 60));
  long jobId = fire("test.hook", {{"k", "x"}});
  auto cancelled = host_->request("POST", "/v1/jobs/" + std::to_string(jobId) + "/cancel", nullptr, userKey_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.raw;
  EXPECT_EQ(cancelled.body["state"], "CANCELLED");
  EXPECT_EQ(job(jobId)["history"].back()["kind"], "CANCEL");
  long next = fire("test.hook", {{"k", "x"}});
  EXPECT_NE(next, jobId);
  EXPECT_EQ(job(next)["state"], "PENDING");
}

TEST_F(Coalescing, FiftySimultaneousFiresWithOneKeyMakeOneJobOfFiftyEvents) {
  registerFlow("gather", "test.hook", "events", coalesce(3.0, 30));
  std::vector<long> jobIds(50);
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] { jobIds[static_cast<std::size_t>(i)] = fire("test.hook", {{"k", "same"}, {"i", i}}); });
  }
  for (auto& thread : threads) thread.join();
  for (long id : jobIds) EXPECT_EQ(id, jobIds[0]);
  auto done = awaitState(jobIds[0], "SUCCEEDED");
  EXPECT_EQ(ranWith(done).size(), 50u);
  EXPECT_EQ(entries(done, "COALESCE").size(), 50u);
  EXPECT_EQ(host_->get("/v1/jobs?limit=1000", adminKey_).body["jobs"].size(), 1u);
}

TEST_F(Coalescing, ARestartMidWindowLosesNoEventAndRunsOnceNotEarly) {
  // Long enough for the host to stop and start again inside the window.
  registerFlow("gather", "test.hook", "events", coalesce(6.0, 60));
  long jobId = fire("test.hook", {{"k", "r"}, {"n", 1}});
  ASSERT_EQ(fire("test.hook", {{"k", "r"}, {"n", 2}}), jobId);
  ASSERT_EQ(host_->stop(), 0) << host_->log();
  ASSERT_TRUE(host_->start()) << host_->log();
  auto pending = job(jobId);
  ASSERT_EQ(pending["state"], "PENDING") << pending;
  EXPECT_EQ(fire("test.hook", {{"k", "r"}, {"n", 3}}), jobId);
  auto done = awaitState(jobId, "SUCCEEDED");
  ASSERT_EQ(done["state"], "SUCCEEDED") << done;
  EXPECT_EQ(ranWith(done).size(), 3u);
  EXPECT_EQ(entries(done, "RUN").size(), 1u);
  EXPECT_GE(secondsBetween(entries(done, "COALESCE").back()["at"], entries(done, "RUN").front()["at"]), 5.99);
}

}  // namespace
}  // namespace hookhost::testing
