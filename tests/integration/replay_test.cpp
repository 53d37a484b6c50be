// POST /v1/replay through the real host (issue 15, "Re-run and replay").
#include <set>

#include "repair_fixture.hpp"

namespace hookhost::testing {
namespace {

class Replay : public RepairHost {
 protected:
  HttpReply replay(const nlohmann::json& body, const std::string& key) {
    return host_->request("POST", "/v1/replay", body, key);
  }

  /// Waits (bounded) until `count` of the handler's jobs are in `state`.
  bool reaches(int handlerId, const std::string& state, int count, std::chrono::seconds within) {
    return eventually([&] { return countJobs(handlerId, state) >= count; }, within);
  }
};

TEST_F(Replay, FiveHundredFailedJobsOfATimeRangeAreReRunAndSucceedOnceFixed) {
  const int handlerId = registerVerdict("database down")["id"].get<int>();
  auto before = fire(40);
  ASSERT_TRUE(reaches(handlerId, "FAILED", 40, std::chrono::seconds(60)));
  auto inRange = fire(500);
  ASSERT_EQ(inRange.size(), 500u);
  ASSERT_TRUE(reaches(handlerId, "FAILED", 540, std::chrono::seconds(120)));
  auto after = fire(30);
  ASSERT_TRUE(reaches(handlerId, "FAILED", 570, std::chrono::seconds(60)));
  // The range is the server's own times: from the first job of the batch to the first after it.
  const std::string since = job(inRange.front())["created_at"];
  const std::string until = job(after.front())["created_at"];
  registerVerdict("", "recovered");

  const int jobsBefore = allJobCount();
  nlohmann::json query = {{"handler_id", handlerId}, {"states", {"FAILED"}}, {"since", since}, {"until", until},
                          {"limit", 10000}, {"dry_run", true}};
  auto dry = replay(query, userKey_);
  ASSERT_EQ(dry.status, 200) << dry.raw;
  EXPECT_EQ(dry.body["count"], 500);
  std::set<int> listed;
  for (const auto& entry : dry.body["jobs"]) listed.insert(entry["rerun_of"].get<int>());
  EXPECT_EQ(listed, std::set<int>(inRange.begin(), inRange.end()));
  EXPECT_EQ(allJobCount(), jobsBefore) << "a dry run created jobs";

  query["dry_run"] = false;
  auto real = replay(query, userKey_);
  ASSERT_EQ(real.status, 202) << real.raw;
  ASSERT_EQ(real.body["count"], 500);
  std::set<int> rerunOf;
  for (const auto& entry : real.body["jobs"]) rerunOf.insert(entry["rerun_of"].get<int>());
  EXPECT_EQ(rerunOf, listed);
  ASSERT_TRUE(reaches(handlerId, "SUCCEEDED", 500, std::chrono::seconds(120)))
      << countJobs(handlerId, "SUCCEEDED") << " succeeded";
  EXPECT_EQ(countJobs(handlerId, "SUCCEEDED"), 500);
  EXPECT_EQ(countJobs(handlerId, "FAILED"), 570) << "the jobs re-run keep their own end";
  auto one = job(real.body["jobs"][0]["job_id"].get<int>());
  EXPECT_EQ(one["result"], "recovered comtrade_samples.zip") << one.dump();
}

TEST_F(Replay, ADryRunOfAHookCreatesNothingAndAUserReplaysOnlyTheirOwnHandlersJobs) {
  const int alices = registerVerdict("alice's failure")["id"].get<int>();
  nlohmann::json bobsHandler = {{"name", "bobs"}, {"hook", kHook}, {"runtime", "plugin"},
                                {"plugin", "fixture_verdict/verdict"}, {"config", {{"fail", "bob's failure"}}},
                                {"notify_on_success", ""}, {"notify_on_failure", ""}};
  auto bobs = host_->request("POST", "/v1/handlers", bobsHandler, otherKey_);
  ASSERT_EQ(bobs.status, 201) << bobs.raw;
  const int bobsId = bobs.body["id"].get<int>();
  fire(5);
  ASSERT_TRUE(reaches(alices, "FAILED", 5, std::chrono::seconds(30)));
  ASSERT_TRUE(reaches(bobsId, "FAILED", 5, std::chrono::seconds(30)));
  const int jobsBefore = allJobCount();

  auto bobsDry = replay({{"hook", kHook}, {"dry_run", true}}, otherKey_);
  ASSERT_EQ(bobsDry.status, 200) << bobsDry.raw;
  EXPECT_EQ(bobsDry.body["count"], 5);
  for (const auto& entry : bobsDry.body["jobs"]) EXPECT_EQ(entry["handler_id"], bobsId) << bobsDry.raw;
  auto adminDry = replay({{"hook", kHook}, {"dry_run", true}}, adminKey_);
  EXPECT_EQ(adminDry.body["count"], 10) << adminDry.raw;
  EXPECT_EQ(allJobCount(), jobsBefore);

  auto forbidden = replay({{"handler_id", alices}}, otherKey_);
  EXPECT_EQ(forbidden.status, 403) << forbidden.raw;
  EXPECT_EQ(allJobCount(), jobsBefore);

  auto bobsReplay = replay({{"hook", kHook}}, otherKey_);
  ASSERT_EQ(bobsReplay.status, 202) << bobsReplay.raw;
  EXPECT_EQ(bobsReplay.body["count"], 5);
  EXPECT_EQ(allJobCount(), jobsBefore + 5);
  ASSERT_TRUE(reaches(bobsId, "FAILED", 10, std::chrono::seconds(30)));
  EXPECT_EQ(countJobs(alices, "FAILED"), 5) << "bob's replay re-ran alice's jobs";
}

TEST_F(Replay, BadQueriesAreRefusedAndChangeNothing) {
  registerVerdict("x");
  fire(2);
  const int jobsBefore = allJobCount();
  const std::vector<std::pair<nlohmann::json, int>> cases = {
      {nlohmann::json::object(), 422},                                   // neither hook nor handler
      {{{"hook", "no.such.hook"}}, 404},
      {{{"hook", kHook}, {"limit", 10001}}, 422},
      {{{"hook", kHook}, {"limit", 0}}, 422},
      {{{"hook", kHook}, {"states", {"RUNNING"}}}, 422},                  // not a finished state
      {{{"hook", kHook}, {"states", nlohmann::json::array()}}, 422},
      {{{"hook", kHook}, {"since", "yesterday"}}, 422},
      {{{"hook", kHook}, {"dry_run", "yes"}}, 422},
      {{{"handler_id", "1"}}, 422},
      {{{"handler_id", 999999}}, 404},
  };
  for (const auto& [body, status] : cases) {
    auto reply = replay(body, userKey_);
    EXPECT_EQ(reply.status, status) << body.dump() << " " << reply.raw;
    EXPECT_TRUE(reply.body["error"]["code"].is_string()) << reply.raw;
  }
  auto noBody = host_->request("POST", "/v1/replay", nullptr, userKey_);
  EXPECT_EQ(noBody.status, 400) << noBody.raw;
  EXPECT_EQ(allJobCount(), jobsBefore);
}

}  // namespace
}  // namespace hookhost::testing
