// The bundled plugins, loaded from the build's plugins folder (the default plugins.dir).
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include "http_receiver.hpp"
#include "plugins/in_process_plugin_executor.hpp"
#include "plugins/plugin_directory.hpp"
#include "test_support.hpp"

namespace hookhost::plugins {
namespace {

using dispatch::RunStatus;
using nlohmann::json;

const json kSeedPayload = json::parse(R"({
  "DataSets": [
    {"Error": "", "Name": "/DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg",
     "Streams": [
       {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000, "Uuid": "585cc764-3c80-5d3f-a7d7-59d48abbab0b"},
       {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000, "Uuid": "ee614a71-803a-511e-bbb7-6fb84210228d"},
       {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000, "Uuid": "6575e59b-e486-5630-8596-9ef657f65a99"},
       {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000, "Uuid": "801674d5-d6eb-5031-84f6-8746dce0761c"},
       {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000, "Uuid": "597f8584-2acb-5a92-85bd-0002733fb920"}],
     "Success": true},
    {"Error": "cfg format error",
     "Name": "/__MACOSX/DFR 2/._200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg",
     "Streams": null, "Success": false}],
  "File": "comtrade_samples.zip",
  "RequestID": "0bbcacdb-e7aa-4e01-af88-9ba865ea32bd",
  "SubmittedAt": "2020-10-29T21:58:15.09246084Z"})");

class BundledPluginsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    PluginDirectoryOptions options;
    options.dir = HH_TEST_PLUGIN_DIR;
    options.hookExists = [](const std::string& hook) { return hook == "ctingress.on_complete"; };
    options.log = [](const std::string&) {};
    directory = new PluginDirectory(options);
    directory->start();
    executor = new InProcessPluginExecutor(*directory);
  }
  static void TearDownTestSuite() {
    delete executor;
    delete directory;
  }

  static dispatch::RunOutcome run(const std::string& plugin, const json& payload, const json& config = json::object()) {
    test::RecordingContext context;
    auto request = test::request(plugin, payload, config);
    request.hook = "ctingress.on_complete";
    return executor->run(request, context);
  }

  static PluginDirectory* directory;
  static InProcessPluginExecutor* executor;
};

PluginDirectory* BundledPluginsTest::directory = nullptr;
InProcessPluginExecutor* BundledPluginsTest::executor = nullptr;

TEST_F(BundledPluginsTest, AllLoadCleanlyFromThePluginsFolder) {
  auto snapshot = directory->snapshot();
  EXPECT_TRUE(snapshot->errors.empty()) << snapshot->toJson().dump(2);
  ASSERT_TRUE(snapshot->find("comtrade_summary"));
  ASSERT_TRUE(snapshot->find("http_forward"));
  EXPECT_EQ(snapshot->find("comtrade_summary")->info().handlers.at(0).hooks,
            (std::vector<std::string>{"ctingress.on_complete"}));
}

TEST_F(BundledPluginsTest, ComtradeSummaryDescribesTheSeedArchive) {
  auto outcome = run("comtrade_summary/summary", kSeedPayload);
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result,
            "COMTRADE archive comtrade_samples.zip\n"
            "Request 0bbcacdb-e7aa-4e01-af88-9ba865ea32bd, submitted 2020-10-29T21:58:15.09246084Z\n"
            "\n"
            "Data sets: 2 (1 ok, 1 failed)\n"
            "Streams: 5\n"
            "Time span: 2020-06-11T02:59:10.000000000Z to 2020-06-11T03:02:19.983333333Z (189.983333333 s)\n"
            "\n"
            "OK:\n"
            "  /DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg (5 streams)\n"
            "\n"
            "Failed:\n"
            "  /__MACOSX/DFR 2/._200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg: cfg format error\n");
}

TEST_F(BundledPluginsTest, ComtradeSummaryHandlesAnArchiveWithoutStreams) {
  auto outcome = run("comtrade_summary/summary",
                     {{"DataSets", {{{"Name", "a.cfg"}, {"Success", false}, {"Error", ""}, {"Streams", nullptr}}}},
                      {"File", "x.zip"}});
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_NE(outcome.result.find("Data sets: 1 (0 ok, 1 failed)\nStreams: 0\nTime span: none (no stream reports its times)\n"),
            std::string::npos)
      << outcome.result;
  EXPECT_NE(outcome.result.find("  a.cfg: (no error given)\n"), std::string::npos) << outcome.result;
}

TEST_F(BundledPluginsTest, ComtradeSummaryFailsOnAPayloadWithoutDataSets) {
  auto outcome = run("comtrade_summary/summary", {{"File", "x.zip"}});
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "the payload has no DataSets list");
}

TEST_F(BundledPluginsTest, HttpForwardPostsTheEventAndJob) {
  testing::HttpReceiver receiver;
  auto outcome = run("http_forward/forward", {{"File", "a.zip"}}, {{"url", receiver.url()}});
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "POST " + receiver.url() + " answered 200 OK\n\nthanks");
  auto seen = receiver.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].uri, "/hooks/in");
  EXPECT_EQ(seen[0].contentType, "application/json");
  EXPECT_EQ(seen[0].idempotencyKey, "hookhost-job-7");
  EXPECT_EQ(seen[0].hookHeader, "ctingress.on_complete");
  EXPECT_EQ(json::parse(seen[0].body), (json{{"hook", "ctingress.on_complete"},
                                             {"event_id", 3},
                                             {"job_id", 7},
                                             {"attempt", 1},
                                             {"user", "alice"},
                                             {"handler", "registered-name"},
                                             {"payload", {{"File", "a.zip"}}}}));
}

TEST_F(BundledPluginsTest, HttpForwardFailsOnANon2xxAnswer) {
  testing::HttpReceiver receiver;
  receiver.answer(503, "busy");
  auto outcome = run("http_forward/forward", json::object(), {{"url", receiver.url()}});
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "POST " + receiver.url() + " answered 503 Service Unavailable: busy");
}

TEST_F(BundledPluginsTest, HttpForwardFailsWhenNobodyListens) {
  Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::string url = "http://127.0.0.1:" + std::to_string(closed.address().port()) + "/";
  closed.close();
  auto outcome = run("http_forward/forward", json::object(), {{"url", url}});
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "POST " + url + " failed: Connection refused");
}

TEST_F(BundledPluginsTest, HttpForwardGivesUpAfterItsTimeout) {
  testing::HttpReceiver receiver;
  receiver.hold();
  auto started = std::chrono::steady_clock::now();
  auto outcome = run("http_forward/forward", json::object(), {{"url", receiver.url()}, {"timeout_ms", 200}});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "POST " + receiver.url() + " failed: Timeout");
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(BundledPluginsTest, HttpForwardNeedsAUrl) {
  auto outcome = run("http_forward/forward", json::object());
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "config.url is required (the URL to POST events to)");
  outcome = run("http_forward/forward", json::object(), {{"url", "ftp://x/"}});
  EXPECT_EQ(outcome.error, "bad url 'ftp://x/': need http:// or https:// and a host");
}

}  // namespace
}  // namespace hookhost::plugins
