// Content filters over REST against the real binary (issue 14, DESIGN.md "Flows"). The host
// runs no jobs (dispatch.workers = 0): which jobs a fire creates is what is tested.
#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

using nlohmann::json;

const json kFailedDataSet = {{"DataSets", {{"Success", {false}}}}};

class ContentFilter : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override { return {{"HOOKHOST_DISPATCH_WORKERS", "0"}}; }

  json registerFiltered(const std::string& name, const json& filter) {
    json body = pythonHandler(name);
    body["filter"] = filter;
    auto reply = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_EQ(reply.status, 201) << reply.raw;
    return reply.body;
  }

  // The names of the handlers the fire made jobs for.
  std::vector<std::string> fire(const json& payload) {
    auto fired = host_->request("POST", "/v1/events", {{"hook", "ctingress.on_complete"}, {"payload", payload}},
                                publisherKey_);
    EXPECT_EQ(fired.status, 202) << fired.raw;
    std::vector<std::string> handlers;
    for (const auto& job : fired.body["jobs"]) handlers.push_back(job["handler"]);
    return handlers;
  }

  static json seedWithAllDataSetsOk() {
    json payload = seedPayload();
    for (auto& dataSet : payload["DataSets"]) dataSet["Success"] = true;
    return payload;
  }
};

TEST_F(ContentFilter, TheSeedPayloadRunsOnlyTheHandlersWhoseFilterMatches) {
  json onFailedFile = registerFiltered("on-failed-file", kFailedDataSet);
  registerFiltered("on-other-archives", {{"File", {{{"anything-but", {"comtrade_samples.zip"}}}}}});
  ASSERT_EQ(host_->request("POST", "/v1/handlers", pythonHandler("unfiltered"), userKey_).status, 201);

  EXPECT_EQ(fire(seedPayload()), (std::vector<std::string>{"on-failed-file", "unfiltered"}));
  EXPECT_EQ(fire(seedWithAllDataSetsOk()), (std::vector<std::string>{"unfiltered"}));

  // No job for the non-matching handler, in the store as in the answer.
  std::size_t failedFileJobs = 0;
  for (const auto& job : allJobs(*host_, adminKey_)) failedFileJobs += job["handler_id"] == onFailedFile["id"] ? 1 : 0;
  EXPECT_EQ(failedFileJobs, 1u);
}

TEST_F(ContentFilter, IsShownWithTheHandlerAndKeptOnReplace) {
  json created = registerFiltered("h", kFailedDataSet);
  EXPECT_EQ(created["filter"], kFailedDataSet);
  std::string path = "/v1/handlers/" + std::to_string(created["id"].get<int>());
  EXPECT_EQ(host_->get(path, userKey_).body["filter"], kFailedDataSet);
  auto listed = host_->get("/v1/handlers", userKey_);
  ASSERT_EQ(listed.body.size(), 1u);
  EXPECT_EQ(listed.body[0]["filter"], kFailedDataSet);

  // A replacement that names no filter keeps it...
  json replacement = pythonHandler("h");
  replacement["tags"] = {"red"};
  auto replaced = host_->request("POST", "/v1/handlers", replacement, userKey_);
  ASSERT_EQ(replaced.status, 200) << replaced.raw;
  EXPECT_EQ(replaced.body["version"], 2);
  EXPECT_EQ(replaced.body["filter"], kFailedDataSet);
  EXPECT_EQ(fire(seedWithAllDataSetsOk()), std::vector<std::string>{});

  // ...one that names another replaces it, and null removes it.
  replacement["filter"] = {{"File", {{{"suffix", ".zip"}}}}};
  EXPECT_EQ(host_->request("POST", "/v1/handlers", replacement, userKey_).body["filter"], replacement["filter"]);
  EXPECT_EQ(fire(seedWithAllDataSetsOk()), std::vector<std::string>{"h"});
  replacement["filter"] = nullptr;
  auto cleared = host_->request("POST", "/v1/handlers", replacement, userKey_);
  EXPECT_TRUE(cleared.body["filter"].is_null()) << cleared.raw;
  json tarball = seedWithAllDataSetsOk();
  tarball["File"] = "x.tar";
  EXPECT_EQ(fire(tarball), std::vector<std::string>{"h"});

  auto unfiltered = host_->request("POST", "/v1/handlers", pythonHandler("plain"), userKey_);
  EXPECT_TRUE(unfiltered.body.contains("filter") && unfiltered.body["filter"].is_null()) << unfiltered.raw;
}

TEST_F(ContentFilter, SurvivesARestart) {
  registerFiltered("on-failed-file", kFailedDataSet);
  ASSERT_EQ(host_->stop(), 0) << host_->log();
  ASSERT_TRUE(host_->start()) << host_->log();
  EXPECT_EQ(fire(seedWithAllDataSetsOk()), std::vector<std::string>{});
  EXPECT_EQ(fire(seedPayload()), std::vector<std::string>{"on-failed-file"});
}

TEST_F(ContentFilter, AMalformedPatternIsRefusedNamingItsPathAndNothingIsStored) {
  json body = pythonHandler("bad");
  body["filter"] = {{"DataSets", {{"Success", {{{"numeric", {">", "zero"}}}}}}}};
  auto refused = host_->request("POST", "/v1/handlers", body, userKey_);
  EXPECT_EQ(refused.status, 422) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "invalid_filter");
  EXPECT_EQ(refused.body["error"]["message"], "filter at /DataSets/Success/0/numeric/1: must be a number");
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());

  body["filter"] = "DataSets.Success == false";
  refused = host_->request("POST", "/v1/handlers", body, userKey_);
  EXPECT_EQ(refused.status, 422) << refused.raw;
  EXPECT_EQ(refused.body["error"]["message"], "filter: must be a JSON object whose keys name payload fields");
}

TEST_F(ContentFilter, DeepPatternsAreRefusedAndTheHostLivesOn) {
  for (int depth : {100, 200, 10'000}) {
    std::string filter = "[1]";
    for (int i = 0; i < depth; ++i) filter = "{\"a\":" + filter + "}";
    std::string body = pythonHandler("deep").dump();
    body.insert(body.size() - 1, ",\"filter\":" + filter);
    auto refused = httpRequest(host_->port(), "POST", "/v1/handlers", body, userKey_);
    // Past the parser's depth bound the body is refused whole (400); within it, the pattern (422).
    if (depth == 100) {
      EXPECT_EQ(refused.status, 422) << refused.raw.substr(0, 300);
      EXPECT_EQ(refused.body["error"]["code"], "invalid_filter");
      EXPECT_NE(refused.raw.find("nests deeper than 64 objects"), std::string::npos) << refused.raw.substr(0, 300);
    } else {
      EXPECT_EQ(refused.status, 400) << refused.raw.substr(0, 300);
      EXPECT_EQ(refused.body["error"]["code"], "too_deep");
    }
  }
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
  EXPECT_EQ(host_->get("/health", "").status, 200);
}

TEST_F(ContentFilter, ADeepPayloadIsMatchedOrRefusedAndTheHostLivesOn) {
  registerFiltered("on-a", {{"a", {{"a", {{"a", {1}}}}}}});
  std::string seed = seedPayload().dump();
  for (int depth : {3, 100, 200}) {
    std::string deep = "1";
    for (int i = 0; i < depth; ++i) deep = "{\"a\":" + deep + "}";
    std::string payload = seed.substr(0, seed.size() - 1) + ",\"a\":" + deep.substr(5);  // payload.a.a… = 1, depth deep
    std::string body = R"({"hook":"ctingress.on_complete","payload":)" + payload + "}";
    auto fired = httpRequest(host_->port(), "POST", "/v1/events", body, publisherKey_);
    if (depth == 200) {  // past the parser's bound: refused before anything recurses over it
      EXPECT_EQ(fired.status, 400) << fired.raw.substr(0, 300);
      EXPECT_EQ(fired.body["error"]["code"], "too_deep");
      continue;
    }
    ASSERT_EQ(fired.status, 202) << fired.raw.substr(0, 300);
    EXPECT_EQ(fired.body["jobs"].size(), depth == 3 ? 1u : 0u) << depth;
  }
  EXPECT_EQ(host_->get("/health", "").status, 200);
}

}  // namespace
}  // namespace hookhost::testing
