// POST /v1/jobs/{id}/rerun through the real host (issue 15, "Re-run and replay").
#include "repair_fixture.hpp"

namespace hookhost::testing {
namespace {

class Rerun : public RepairHost {};

nlohmann::json firstEntry(const nlohmann::json& job, const std::string& kind) {
  for (const auto& entry : job.value("history", nlohmann::json::array())) {
    if (entry["kind"] == kind) return entry;
  }
  return nullptr;
}

TEST_F(Rerun, AFailedJobReRunAfterTheHandlerIsFixedSucceedsAndIsNotified) {
  registerVerdict("database down");
  const int failedId = fire(1).at(0);
  auto failed = finished(failedId);
  ASSERT_EQ(failed["state"], "FAILED") << failed.dump();
  EXPECT_NE(failed["error"].get<std::string>().find("database down"), std::string::npos) << failed.dump();

  auto fixed = registerVerdict("", "fixed");
  ASSERT_EQ(fixed["version"], 2) << fixed.dump();
  auto reply = rerun(failedId, nullptr, userKey_);
  ASSERT_EQ(reply.status, 202) << reply.raw;
  EXPECT_EQ(reply.body["rerun_of"], failedId);
  EXPECT_EQ(reply.body["handler_version"], 2);
  const int rerunId = reply.body["job_id"].get<int>();
  ASSERT_NE(rerunId, failedId);

  auto done = finished(rerunId);
  ASSERT_EQ(done["state"], "SUCCEEDED") << done.dump();
  EXPECT_EQ(done["result"], "fixed comtrade_samples.zip");
  EXPECT_EQ(done["event_id"], failed["event_id"]) << "a re-run is a job of the same event";
  EXPECT_EQ(done["handler_id"], failed["handler_id"]);
  EXPECT_EQ(done["handler_version"], 2);
  auto created = firstEntry(done, "CREATE");
  ASSERT_TRUE(created.is_object()) << done.dump();
  EXPECT_EQ(created["data"]["rerun_of"], failedId) << done.dump();
  // Notified like any job: the success mail is spooled and recorded in its history.
  ASSERT_TRUE(eventually([&] { return firstEntry(job(rerunId), "NOTIFY").is_object(); }, std::chrono::seconds(20)))
      << job(rerunId).dump();
  // The job re-run is left as it was.
  EXPECT_EQ(job(failedId)["state"], "FAILED");
}

TEST_F(Rerun, APinnedVersionRunsThatVersionsCode) {
  registerVerdict("", "first");
  const int firstId = fire(1).at(0);
  ASSERT_EQ(finished(firstId)["state"], "SUCCEEDED");
  registerVerdict("version two is broken");

  auto current = rerun(firstId, nlohmann::json::object(), userKey_);
  ASSERT_EQ(current.status, 202) << current.raw;
  auto broken = finished(current.body["job_id"].get<int>());
  EXPECT_EQ(broken["state"], "FAILED") << broken.dump();
  EXPECT_EQ(broken["handler_version"], 2);

  auto pinned = rerun(firstId, {{"version", 1}}, userKey_);
  ASSERT_EQ(pinned.status, 202) << pinned.raw;
  EXPECT_EQ(pinned.body["handler_version"], 1);
  auto ran = finished(pinned.body["job_id"].get<int>());
  EXPECT_EQ(ran["state"], "SUCCEEDED") << ran.dump();
  EXPECT_EQ(ran["result"], "first comtrade_samples.zip");
  EXPECT_EQ(ran["handler_version"], 1);
  EXPECT_EQ(firstEntry(ran, "CREATE")["data"]["pinned_version"], 1) << ran.dump();
}

TEST_F(Rerun, AnEditedPayloadIsSchemaCheckedAndRunsInsteadOfTheEvents) {
  registerVerdict("", "edited");
  const int sourceId = fire(1).at(0);
  ASSERT_EQ(finished(sourceId)["state"], "SUCCEEDED");
  const int before = allJobCount();

  nlohmann::json bad = seedPayload();
  bad["DataSets"] = "not a list";
  auto refused = rerun(sourceId, {{"payload", bad}}, userKey_);
  EXPECT_EQ(refused.status, 422) << refused.raw;
  EXPECT_TRUE(refused.body["error"]["code"].is_string()) << refused.raw;
  auto notObject = rerun(sourceId, {{"payload", "text"}}, userKey_);
  EXPECT_EQ(notObject.status, 422) << notObject.raw;
  EXPECT_EQ(notObject.body["error"]["code"], "invalid_payload");
  EXPECT_EQ(allJobCount(), before) << "a refused re-run created a job";

  nlohmann::json edited = seedPayload();
  edited["File"] = "edited.zip";
  auto reply = rerun(sourceId, {{"payload", edited}}, userKey_);
  ASSERT_EQ(reply.status, 202) << reply.raw;
  const int editedId = reply.body["job_id"].get<int>();
  auto ran = finished(editedId);
  EXPECT_EQ(ran["result"], "edited edited.zip") << ran.dump();
  EXPECT_EQ(firstEntry(ran, "CREATE")["data"]["payload_edited"], true);
  // A re-run of the edited re-run runs what it ran; the event itself is unchanged.
  auto again = rerun(editedId, nullptr, userKey_);
  ASSERT_EQ(again.status, 202) << again.raw;
  EXPECT_EQ(finished(again.body["job_id"].get<int>())["result"], "edited edited.zip");
  auto event = host_->get("/v1/events/" + std::to_string(ran["event_id"].get<int>()), adminKey_);
  EXPECT_EQ(event.body["payload"]["File"], "comtrade_samples.zip") << event.raw;
}

TEST_F(Rerun, UnknownJobsAndVersionsAre404AndBadBodies422) {
  registerVerdict("");
  const int sourceId = fire(1).at(0);
  ASSERT_EQ(finished(sourceId)["state"], "SUCCEEDED");
  const int before = allJobCount();

  auto noJob = rerun(999999, nullptr, adminKey_);
  EXPECT_EQ(noJob.status, 404) << noJob.raw;
  EXPECT_EQ(noJob.body["error"]["code"], "job_not_found");
  auto noVersion = rerun(sourceId, {{"version", 7}}, userKey_);
  EXPECT_EQ(noVersion.status, 404) << noVersion.raw;
  EXPECT_EQ(noVersion.body["error"]["code"], "version_not_found");
  for (const nlohmann::json& body : {nlohmann::json{{"version", "1"}}, nlohmann::json{{"version", 0}},
                                     nlohmann::json::array()}) {
    auto bad = rerun(sourceId, body, userKey_);
    EXPECT_EQ(bad.status, 422) << body.dump() << " " << bad.raw;
  }
  EXPECT_EQ(allJobCount(), before);
}

TEST_F(Rerun, ADeregisteredHandlersJobIs409UnlessAVersionIsPinned) {
  auto handler = registerVerdict("", "kept");
  const int sourceId = fire(1).at(0);
  ASSERT_EQ(finished(sourceId)["state"], "SUCCEEDED");
  auto deleted = host_->request("DELETE", "/v1/handlers/" + std::to_string(handler["id"].get<int>()), nullptr, userKey_);
  ASSERT_EQ(deleted.status, 200) << deleted.raw;

  auto refused = rerun(sourceId, nullptr, userKey_);
  EXPECT_EQ(refused.status, 409) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "handler_deregistered");

  auto pinned = rerun(sourceId, {{"version", 1}}, userKey_);
  ASSERT_EQ(pinned.status, 202) << pinned.raw;
  auto ran = finished(pinned.body["job_id"].get<int>());
  EXPECT_EQ(ran["state"], "SUCCEEDED") << ran.dump();
  EXPECT_EQ(ran["result"], "kept comtrade_samples.zip");
}

TEST_F(Rerun, AnotherUserCannotReRunAJobOfAlicesHandler) {
  registerVerdict("boom");
  const int failedId = fire(1).at(0);
  ASSERT_EQ(finished(failedId)["state"], "FAILED");
  const int before = allJobCount();
  for (const auto& key : {otherKey_, publisherKey_}) {
    auto reply = rerun(failedId, nullptr, key);
    EXPECT_EQ(reply.status, 403) << reply.raw;
  }
  EXPECT_EQ(allJobCount(), before);
  auto byAdmin = rerun(failedId, nullptr, adminKey_);
  EXPECT_EQ(byAdmin.status, 202) << byAdmin.raw;
}

}  // namespace
}  // namespace hookhost::testing
