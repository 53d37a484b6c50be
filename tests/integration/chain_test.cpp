// Chains through the real host (issue 14): the Ensembl flow of seed 000 end to end
// (a genebuild, the xrefs it triggers, one flatfile dump per genome after both), the tree
// of a root event, and the failure email of a step naming its chain.
#include <fstream>
#include <sstream>

#include "coalesce_fixture.hpp"

namespace hookhost::testing {
namespace {

nlohmann::json genebuild(const std::string& genome) {
  return {{"genome", genome}, {"database", genome + "_core_110_1"}};
}

// The spooled messages' text with quoted-printable soft line breaks joined.
std::string spooledMail(const std::filesystem::path& dir) {
  std::string all;
  if (!std::filesystem::exists(dir)) return all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string message = text.str();
    for (auto at = message.find("=\r\n"); at != std::string::npos; at = message.find("=\r\n", at)) message.erase(at, 3);
    all += message;
  }
  return all;
}

class Chains : public FlowHost {
 protected:
  // The Ensembl setup: xrefs are slow, the dump's quiet time is short, so only after_chain
  // keeps the dump from running on the genebuild without its xrefs.
  void registerEnsemblFlow() {
    registerFlow("protein-features", "staging.new_genebuild", "genebuild");
    registerFlow("xref-loader", "staging.new_xrefs", "xrefs", {{"config", {{"ms", 1200}}}});
    registerFlow("flatfile-dump", "staging.genome_updated", "events",
                 {{"coalesce", {{"key", {"/genome"}}, {"quiet_s", 0.2}, {"max_wait_s", 60}, {"after_chain", true}}}});
  }
  nlohmann::json jobsOf(const std::string& handler) {
    nlohmann::json found = nlohmann::json::array();
    const auto listing = host_->get("/v1/jobs?limit=1000", adminKey_);
    for (const auto& job : listing.body["jobs"]) {
      if (job["handler"] == handler) found.push_back(job);
    }
    return found;
  }
};

TEST_F(Chains, EnsemblGenebuildAndItsXrefsLeadToOneFlatfileDumpPerGenomeAfterBoth) {
  registerEnsemblFlow();
  auto fired = host_->request("POST", "/v1/events", {{"hook", "staging.new_genebuild"}, {"payload", genebuild("homo_sapiens")}},
                              publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  auto other = host_->request("POST", "/v1/events", {{"hook", "staging.new_genebuild"}, {"payload", genebuild("mus_musculus")}},
                              publisherKey_);
  ASSERT_EQ(other.status, 202) << other.raw;
  const long root = fired.body["event_id"].get<long>();

  // Each genome is its own chain: wait for both, not only the first one's tree.
  const long otherRoot = other.body["event_id"].get<long>();
  nlohmann::json tree;
  nlohmann::json otherTree;
  ASSERT_TRUE(eventually([&] {
    tree = host_->get("/v1/events/" + std::to_string(root) + "/tree", adminKey_).body;
    otherTree = host_->get("/v1/events/" + std::to_string(otherRoot) + "/tree", adminKey_).body;
    return tree.value("state", "") == "SUCCEEDED" && otherTree.value("state", "") == "SUCCEEDED";
  }, std::chrono::seconds(30))) << tree << otherTree;

  auto dumps = jobsOf("flatfile-dump");
  ASSERT_EQ(dumps.size(), 2u) << tree;  // one per genome
  for (const auto& dump : dumps) {
    auto ran = job(dump["job_id"].get<long>());
    ASSERT_EQ(ran["state"], "SUCCEEDED") << ran;
    auto events = ranWith(ran);
    ASSERT_EQ(events.size(), 2u) << ran;
    EXPECT_EQ(events[0]["payload"]["step"], "genebuild");
    EXPECT_EQ(events[1]["payload"]["step"], "xrefs");
    EXPECT_EQ(events[0]["payload"]["genome"], events[1]["payload"]["genome"]);
  }
  // After both: the dump started once the xrefs step had finished.
  for (const auto& xrefs : jobsOf("xref-loader")) {
    auto loaded = job(xrefs["job_id"].get<long>());
    const std::string genome = host_->get("/v1/events/" + std::to_string(loaded["event_id"].get<long>()), adminKey_)
                                   .body["payload"]["genome"];
    for (const auto& dump : dumps) {
      auto ran = job(dump["job_id"].get<long>());
      if (ranWith(ran)[0]["payload"]["genome"] != genome) continue;
      EXPECT_GE(secondsBetween(loaded["finished_at"], ran["started_at"]), 0.0) << loaded << ran;
    }
  }

  // The tree: genebuild → (xrefs → dump, dump), every event naming its root.
  EXPECT_EQ(tree["event_id"], root);
  EXPECT_EQ(tree["root_event_id"], root);
  ASSERT_EQ(tree["jobs"].size(), 1u) << tree;
  const auto& build = tree["jobs"][0];
  EXPECT_EQ(build["handler"], "protein-features");
  EXPECT_EQ(build["state"], "SUCCEEDED");
  EXPECT_TRUE(build["result"].is_string());
  ASSERT_EQ(build["emitted"].size(), 2u) << tree;
  for (const auto& emitted : build["emitted"]) {
    EXPECT_EQ(emitted["root_event_id"], root);
    EXPECT_EQ(emitted["parent_job_id"], build["job_id"]);
  }
  auto event = host_->get("/v1/events/" + std::to_string(build["emitted"][0]["event_id"].get<long>()), adminKey_);
  EXPECT_EQ(event.body["root_event_id"], root);

  // Alice owns the handlers; bob has none in this chain; the publisher who fired it sees
  // its shape, not what the jobs returned.
  EXPECT_EQ(host_->get("/v1/events/" + std::to_string(root) + "/tree", userKey_).body["jobs"][0]["result"], build["result"]);
  EXPECT_EQ(host_->get("/v1/events/" + std::to_string(root) + "/tree", otherKey_).status, 403);
  auto shape = host_->get("/v1/events/" + std::to_string(root) + "/tree", publisherKey_);
  ASSERT_EQ(shape.status, 200) << shape.raw;
  EXPECT_TRUE(shape.body["jobs"][0]["result"].is_null());
  EXPECT_EQ(shape.body["jobs"][0]["state"], "SUCCEEDED");
  EXPECT_EQ(host_->get("/v1/events/999999/tree", adminKey_).status, 404);
}

TEST_F(Chains, AFailedStepStopsItsBranchAndItsEmailNamesTheChain) {
  registerFlow("protein-features", "staging.new_genebuild", "genebuild");
  registerFlow("xref-loader", "staging.new_xrefs", "fail", {{"config", {{"error", "xref source unreachable"}}}});
  auto fired = host_->request("POST", "/v1/events", {{"hook", "staging.new_genebuild"}, {"payload", genebuild("danio_rerio")}},
                              publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  const long root = fired.body["event_id"].get<long>();
  nlohmann::json tree;
  ASSERT_TRUE(eventually([&] {
    tree = host_->get("/v1/events/" + std::to_string(root) + "/tree", adminKey_).body;
    return tree.value("state", "") == "FAILED";
  }, std::chrono::seconds(30))) << tree;
  const auto& failed = tree["jobs"][0]["emitted"][0]["jobs"][0];
  EXPECT_EQ(failed["state"], "FAILED");
  EXPECT_TRUE(failed["emitted"].empty());

  std::string mail;
  ASSERT_TRUE(eventually([&] {
    mail = spooledMail(host_->dataDir() / "mail");
    return mail.find("Failed step") != std::string::npos;
  }, std::chrono::seconds(20))) << mail;
  EXPECT_NE(mail.find("chain of event " + std::to_string(root) + " (staging.new_genebuild)"), std::string::npos) << mail;
  EXPECT_NE(mail.find("protein-features on staging.new_genebuild"), std::string::npos) << mail;
  EXPECT_NE(mail.find("SUCCEEDED"), std::string::npos);
  EXPECT_NE(mail.find("<- this step failed"), std::string::npos);
  EXPECT_NE(mail.find("Failed step: xref-loader (job " + std::to_string(failed["job_id"].get<long>()) + "): "),
            std::string::npos)
      << mail;
  EXPECT_NE(mail.find("xref source unreachable"), std::string::npos);
}

}  // namespace
}  // namespace hookhost::testing
