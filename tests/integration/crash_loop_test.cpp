// Issue 18, "A crash loop from one job": a trusted plugin runs inside the host, so one that
// crashes takes the host down with it. Its job is run again after the first loss (the host
// may have died of something else) but not after the second in a row: it fails with the
// reason in its history and its failure mail, and the host stays up.
#include <fstream>
#include <sstream>

#include "plugin_host_fixture.hpp"

namespace hookhost::testing {
namespace {

std::string spooledMail(const std::filesystem::path& spool) {
  std::string all;
  if (!std::filesystem::exists(spool)) return all;
  // The spool shards mail by minute: mail/YYYY-MM-DD/HH-MM/<id>.eml.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(spool)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    all += text.str();
  }
  // The body is quoted-printable: undo its soft line breaks.
  for (const char* soft : {"=\r\n", "=\n"}) {
    const std::string breakText = soft;
    for (std::size_t at; (at = all.find(breakText)) != std::string::npos;) all.erase(at, breakText.size());
  }
  return all;
}

TEST_F(PluginHost, AnInProcessJobThatCrashesItsHostTwiceFailsAndTheHostStaysUp) {
  install(fixture("fixture_faults"), "fixture_faults.so");
  startHost({{"HOOKHOST_PLUGINS_TRUSTED", "fixture_faults"}});
  registerPlugin("segv", "test.hook", "fixture_faults/segv", {{"max_attempts", 2}});
  long jobId = 1;  // the first job of a fresh store
  try {
    auto fired =
        host_->request("POST", "/v1/events", {{"hook", "test.hook"}, {"payload", nlohmann::json::object()}}, publisherKey_);
    ASSERT_EQ(fired.status, 202) << fired.raw;
    jobId = fired.body["jobs"][0]["job_id"].get<long>();
  } catch (const std::exception&) {
    // The fire committed and leased the job to an idle worker, which ran it in-process and
    // took the host down before the answer went out.
  }

  // Each crash is waited for, then the host started again: a start may itself crash (the
  // job is rescued and run again at once) before it is seen listening.
  auto stateNow = [&]() -> std::string {
    try {
      auto view = job(jobId);
      return view["state"].is_string() ? view["state"].get<std::string>() : "";
    } catch (const std::exception&) {
      return "";  // the host is down
    }
  };
  int crashes = 0;
  for (int launch = 0; launch < 4; ++launch) {
    bool exited = false;
    ASSERT_TRUE(eventually(
        [&] {
          exited = host_->waitForExit(std::chrono::milliseconds(0));
          return exited || stateNow() == "FAILED";
        },
        std::chrono::seconds(30)))
        << host_->log();
    if (!exited) break;
    ++crashes;
    ASSERT_LE(crashes, 2) << "the job crashed its host a third time\n" << host_->log();
    host_->start();
  }
  EXPECT_EQ(crashes, 2) << host_->log();
  ASSERT_TRUE(host_->running()) << host_->log();
  EXPECT_EQ(host_->get("/health", "").status, 200);

  auto failed = job(jobId);
  EXPECT_EQ(failed["state"], "FAILED") << failed.dump();
  EXPECT_EQ(failed["attempt"], 2) << failed.dump();
  const std::string error = failed["error"].is_string() ? failed["error"].get<std::string>() : "";
  EXPECT_NE(error.find("expired (host or worker lost)"), std::string::npos) << error;
  EXPECT_NE(error.find("not run in-process again"), std::string::npos) << error;
  // The last state change is the failure (NOTIFY entries of its mail may follow).
  nlohmann::json last;
  for (const auto& entry : failed["history"]) {
    if (entry["kind"] != "NOTIFY" && entry["kind"] != "UPDATE") last = entry;
  }
  EXPECT_EQ(last["kind"], "FAIL") << failed["history"].dump();
  EXPECT_EQ(last["data"]["error"], error);
  EXPECT_EQ(last["data"]["lost_leases_in_a_row"], 2);
  ASSERT_TRUE(eventually([&] { return spooledMail(host_->dataDir() / "mail").find("not run in-process again") !=
                                      std::string::npos; },
                         std::chrono::seconds(10)))
      << spooledMail(host_->dataDir() / "mail");
  auto quarantined = plugins()["quarantined_jobs"];
  ASSERT_EQ(quarantined.size(), 1u) << plugins().dump();
  EXPECT_EQ(quarantined[0]["job_id"], jobId);
  EXPECT_EQ(quarantined[0]["plugin"], "fixture_faults/segv");
  EXPECT_EQ(quarantined[0]["reason"], error);
  // Still the same process, serving, once its mail went out.
  EXPECT_FALSE(host_->waitForExit(std::chrono::milliseconds(0))) << host_->log();
  EXPECT_EQ(host_->get("/health", "").status, 200) << host_->log();
}

}  // namespace
}  // namespace hookhost::testing
