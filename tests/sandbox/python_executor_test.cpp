#include "sandbox/src/python_executor.hpp"

#include <gtest/gtest.h>

#include "sandbox_test_support.hpp"

namespace hookhost::sandbox {
namespace {

using dispatch::RunStatus;
using testing::RecordingRunContext;

class PythonExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = testing::makePool();
    ASSERT_TRUE(pool_);
    executor_ = std::make_unique<PythonExecutor>(*pool_, testing::runnerDir());
  }

  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<PythonExecutor> executor_;
};

TEST_F(PythonExecutorTest, SeedTrivialHandlerSucceedsWithItsText) {
  auto pickle = testing::pickleHandler(R"(
def trivial(btrdb, *args, **kwargs):
    print(args, kwargs)
    return "completed successfully"
handler = trivial
)");
  RecordingRunContext context;
  auto outcome = executor_->run(testing::pythonRequest(pickle, "alice", 1, testing::seedPayload()),
                                context);
  EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "completed successfully");
  EXPECT_NE(outcome.output.find("'File': 'comtrade_samples.zip'"), std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("cfg format error"), std::string::npos);
  ASSERT_FALSE(context.logs().empty());
  EXPECT_EQ(context.logs().front().rfind("[stdout] ()", 0), 0u) << context.logs().front();
}

TEST_F(PythonExecutorTest, RaisingHandlerFailsWithTraceback) {
  auto pickle = testing::pickleHandler(R"(
def helper(value):
    raise ValueError("bad archive %s" % value)

def handler(ctx, File, **kwargs):
    helper(File)
)");
  RecordingRunContext context;
  auto outcome = executor_->run(testing::pythonRequest(pickle, "alice", 1, testing::seedPayload()),
                                context);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.error.find("Traceback (most recent call last)"), std::string::npos)
      << outcome.error;
  EXPECT_NE(outcome.error.find("in helper"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("ValueError: bad archive comtrade_samples.zip"), std::string::npos)
      << outcome.error;
}

TEST_F(PythonExecutorTest, ContextCarriesTheJobAndTheUser) {
  auto pickle = testing::pickleHandler(R"(
def handler(ctx, **payload):
    return "%s|%s|%s|%s|%s|%s" % (ctx.user, ctx.job_id, ctx.event_id, ctx.hook, ctx.attempt,
                                  sorted(payload))
)");
  RecordingRunContext context;
  auto request = testing::pythonRequest(pickle, "carol", 4, {{"a", 1}, {"b", 2}});
  auto outcome = executor_->run(request, context);
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "carol|" + std::to_string(request.jobId) +
                                "|7|ctingress.on_complete|1|['a', 'b']");
}

TEST_F(PythonExecutorTest, UpdateLogEmitAndDeferRoundTrip) {
  auto pickle = testing::pickleHandler(R"(
def handler(ctx, **payload):
    ctx.update({"step": 1})
    ctx.update(step=2, note="half")
    ctx.log.info("processing %s", "archive")
    ctx.emit("downstream.hook", {"n": 1}, tags=["a"], key="k1")
    try:
        ctx.emit("no.such.hook", {})
        refused = "not refused"
    except Exception as error:
        refused = "%s: %s" % (type(error).__name__, error)
    ctx.update(refused=refused)
    ticket = ctx.defer(system="ticketing", ref=42)
    ctx.update(ticket=ticket)
    return "handed off"
)");
  RecordingRunContext context;
  context.refusesHook = [](const std::string& hook) { return hook == "no.such.hook"; };
  auto outcome = executor_->run(testing::pythonRequest(pickle), context);
  ASSERT_EQ(outcome.status, RunStatus::Deferred) << outcome.error;
  EXPECT_EQ(outcome.result, "handed off");

  auto updates = context.updates();
  ASSERT_EQ(updates.size(), 4u);
  EXPECT_EQ(updates[0], (nlohmann::json{{"step", 1}}));
  EXPECT_EQ(updates[1], (nlohmann::json{{"step", 2}, {"note", "half"}}));
  EXPECT_EQ(updates[2]["refused"], "EmitError: unknown hook 'no.such.hook'");
  EXPECT_EQ(updates[3]["ticket"],
            (nlohmann::json{{"token", "token-123"}, {"callback_path", "/v1/jobs/7/callback"}}));

  auto emitted = context.emitted();
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0].hook, "downstream.hook");
  EXPECT_EQ(emitted[0].payload, (nlohmann::json{{"n", 1}}));
  EXPECT_EQ(emitted[0].tags, std::vector<std::string>{"a"});
  EXPECT_EQ(emitted[0].key, std::optional<std::string>("k1"));

  ASSERT_EQ(context.deferrals().size(), 1u);
  EXPECT_EQ(context.deferrals()[0], (nlohmann::json{{"system", "ticketing"}, {"ref", 42}}));
  auto logs = context.logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0], "INFO processing archive");
  EXPECT_NE(outcome.output.find("INFO processing archive"), std::string::npos);
}

TEST_F(PythonExecutorTest, ClosuresAndModuleHelpersTravel) {
  auto pickle = testing::pickleHandler(R"(
import math
SCALE = 3
def scaled(x):
    return x * SCALE
def make():
    offset = 10
    square = lambda v: v * v
    def inner(ctx, **payload):
        return str(scaled(square(payload["n"])) + offset + int(math.sqrt(16)))
    return inner
handler = make()
)");
  RecordingRunContext context;
  auto outcome = executor_->run(testing::pythonRequest(pickle, "alice", 1, {{"n", 2}}), context);
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "26");
}

TEST_F(PythonExecutorTest, NoneResultIsEmptyAndObjectsAreText) {
  auto none = testing::pickleHandler("def handler(ctx, **kw):\n    return None\n");
  auto dict = testing::pickleHandler("def handler(ctx, **kw):\n    return {'a': [1, 2]}\n");
  RecordingRunContext context;
  auto first = executor_->run(testing::pythonRequest(none, "alice", 1), context);
  auto second = executor_->run(testing::pythonRequest(dict, "alice", 2), context);
  ASSERT_EQ(first.status, RunStatus::Succeeded) << first.error;
  EXPECT_EQ(first.result, "");
  ASSERT_EQ(second.status, RunStatus::Succeeded) << second.error;
  EXPECT_EQ(second.result, "{'a': [1, 2]}");
}

}  // namespace
}  // namespace hookhost::sandbox
