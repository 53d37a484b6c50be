#include "plugins/in_process_plugin_executor.hpp"

#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hookhost::plugins {
namespace {

using dispatch::RunStatus;

class InProcessExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
    std::ofstream(dir / "fixture_ok.json") << R"({"config": {"greeting": "bonjour", "url": "http://plugin-level"}})";
    directory.start();
    ASSERT_TRUE(directory.snapshot()->find("fixture_ok")) << directory.snapshot()->toJson().dump(2);
  }

  test::TempDir dir;
  PluginDirectory directory{PluginDirectoryOptions{dir.path(), {}, test::knownHook, std::chrono::milliseconds(50), [](const std::string&) {}}};
  InProcessPluginExecutor executor{directory};
  test::RecordingContext context;
};

TEST_F(InProcessExecutorTest, ReturnsTheHandlersText) {
  auto outcome = executor.run(test::request("fixture_ok/echo", {{"a", 1}}), context);
  EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, R"(v1 test.hook job 7 attempt 1 user alice: {"a":1})");
}

TEST_F(InProcessExecutorTest, AnExceptionFailsTheJobWithItsMessage) {
  auto outcome = executor.run(test::request("fixture_ok/fail"), context);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error, "the archive is empty");
}

TEST_F(InProcessExecutorTest, ConfigLooksAtTheRegistrationThenThePlugin) {
  auto outcome = executor.run(test::request("fixture_ok/config", {}, {{"limits", {{"max", 5}}}}), context);
  EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, R"(bonjour "http://plugin-level" 5 {"limits":{"max":5}})");
  outcome = executor.run(test::request("fixture_ok/config", {}, {{"url", "http://handler-level"}}), context);
  EXPECT_EQ(outcome.result, R"(bonjour "http://handler-level" -1 {"url":"http://handler-level"})");
}

TEST_F(InProcessExecutorTest, LogsAndUpdatesReachTheRunContext) {
  auto outcome = executor.run(test::request("fixture_ok/chatty"), context);
  EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(context.logs(), (std::vector<std::string>{"a log line", "[warn] a warning"}));
  ASSERT_EQ(context.updates().size(), 1u);
  EXPECT_EQ(context.updates()[0], (nlohmann::json{{"progress", 50}}));
}

TEST_F(InProcessExecutorTest, EmitsEventsAndReportsRefusals) {
  auto outcome = executor.run(test::request("fixture_ok/emit"), context);
  EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "emitted; second: unknown hook 'nope.hook'");
  auto emitted = context.emitted();
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0].hook, "test.hook");
  EXPECT_EQ(emitted[0].payload, (nlohmann::json{{"from", "fixture"}}));
  EXPECT_EQ(emitted[0].tags, (std::vector<std::string>{"t1"}));
  EXPECT_EQ(emitted[0].key, std::optional<std::string>("key-1"));
}

TEST_F(InProcessExecutorTest, DefersWithATicket) {
  auto outcome = executor.run(test::request("fixture_ok/defer"), context);
  EXPECT_EQ(outcome.status, RunStatus::Deferred) << outcome.error;
  ASSERT_EQ(context.deferrals().size(), 1u);
  EXPECT_EQ(context.deferrals()[0], (nlohmann::json{{"waiting_for", "approval"}}));
  EXPECT_EQ(context.logs(), (std::vector<std::string>{"token token-123 at /v1/jobs/7/callback"}));
}

TEST_F(InProcessExecutorTest, UnknownReferencesFailClearly) {
  EXPECT_EQ(executor.run(test::request("nothing/echo"), context).error, "no plugin named 'nothing' is loaded");
  EXPECT_EQ(executor.run(test::request("fixture_ok/nope"), context).error,
            "plugin 'fixture_ok' has no handler 'nope'");
  EXPECT_EQ(executor.run(test::request("fixture_ok"), context).error,
            "plugin reference 'fixture_ok' is not <plugin>/<handler>");
}

TEST_F(InProcessExecutorTest, ConcurrentCallsAllComplete) {
  std::vector<std::thread> threads;
  std::atomic<int> succeeded{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      test::RecordingContext own;
      for (int i = 0; i < 50; ++i) {
        auto outcome = executor.run(test::request("fixture_ok/echo", {{"t", t}, {"i", i}}), own);
        if (outcome.status == RunStatus::Succeeded && outcome.result.find("\"i\":" + std::to_string(i)) != std::string::npos) {
          ++succeeded;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 200);
}

}  // namespace
}  // namespace hookhost::plugins
