// The dispatcher with an executor that lives in the test: retries, timeouts, emits, defers,
// concurrency limits, progress (issue 3), on SQLite and on PostgreSQL (issue 7).
#include <atomic>
#include <thread>

#include "../storage/store_fixture.hpp"
#include "auth/secrets.hpp"
#include "dispatch/dispatcher.hpp"

namespace hookhost::testing {
namespace {

using dispatch::RunOutcome;
using dispatch::RunStatus;
using storage::JobState;

class ScriptedExecutor : public dispatch::Executor {
 public:
  std::function<RunOutcome(const dispatch::RunRequest&, dispatch::RunContext&)> script;
  RunOutcome run(const dispatch::RunRequest& request, dispatch::RunContext& context) override {
    return script(request, context);
  }
};

RunOutcome succeeded(std::string result) {
  RunOutcome outcome;
  outcome.status = RunStatus::Succeeded;
  outcome.result = std::move(result);
  return outcome;
}

RunOutcome failed(std::string error) {
  RunOutcome outcome;
  outcome.status = RunStatus::Failed;
  outcome.error = std::move(error);
  return outcome;
}

class DispatcherTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    catalog_ = registry::HookCatalog::loadFromDirectory(HOOKHOST_SOURCE_DIR "/conf/hooks");
    events_ = std::make_unique<dispatch::EventService>(*store_, catalog_, dispatch::EventLimits{1000, 2}, watch_);
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->stop(std::chrono::seconds(10));
  }

  void startDispatcher(int workers = 4) {
    dispatch::DispatcherOptions options;
    options.workers = workers;
    options.hostId = "test-host";
    options.lease = std::chrono::milliseconds(3000);
    options.pollInterval = std::chrono::milliseconds(50);
    options.timeoutGrace = std::chrono::milliseconds(300);
    options.retry = {std::chrono::milliseconds(100), std::chrono::milliseconds(400)};
    dispatcher_ = std::make_unique<dispatch::Dispatcher>(*store_, *lifecycle_, *events_, metrics_, options);
    dispatcher_->addExecutor(Runtime::Python, executor_);
    events_->setOnFired([this](const storage::FireResult&) { dispatcher_->wake(); });
    dispatcher_->start();
  }

  storage::Job waitTerminal(std::int64_t jobId, std::chrono::seconds within = std::chrono::seconds(20)) {
    watch_.waitUntil([&] { return storage::isTerminal(stateOf(jobId)); }, within);
    return *store_->getJob(jobId);
  }

  storage::FireResult fireThroughService(std::vector<std::string> tags = {}) {
    storage::NewEvent event;
    event.hook = "staging.new_assembly";
    event.payload = {{"genome", "homo_sapiens"}, {"database", "core"}};
    event.tags = std::move(tags);
    event.createdBy = "ingest";
    return *events_->fire(event);
  }

  registry::HookCatalog catalog_;
  metrics::HostMetrics metrics_;
  std::unique_ptr<dispatch::EventService> events_;
  ScriptedExecutor executor_;
  std::unique_ptr<dispatch::Dispatcher> dispatcher_;
};

INSTANTIATE_TEST_SUITE_P(Backends, DispatcherTest, storeBackends(), backendName);

TEST_P(DispatcherTest, RunsAJobAsItsOwnerWithThePayloadAndRecordsTheResult) {
  addHandler("summary");
  executor_.script = [](const dispatch::RunRequest& request, dispatch::RunContext& context) {
    context.update({{"percent", 50}});
    context.log("halfway");
    return succeeded(request.user + " summarised " + request.payload["genome"].get<std::string>());
  };
  startDispatcher();
  auto job = waitTerminal(fireThroughService().jobs[0].jobId);
  EXPECT_EQ(job.state, JobState::Succeeded);
  EXPECT_EQ(job.result, "alice summarised homo_sapiens");
  EXPECT_EQ(job.output, "halfway\n");
  EXPECT_EQ(historyKinds(job.id), (std::vector<std::string>{"CREATE", "RUN", "UPDATE", "FINISH"}));
  EXPECT_EQ(job.history[2].data["progress"]["percent"], 50);
}

TEST_P(DispatcherTest, ASecondExecutorForARuntimeIsRefused) {
  startDispatcher(1);
  try {
    dispatcher_->addExecutor(Runtime::Python, executor_);
    FAIL() << "a double registration was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_STREQ(error.what(), "a second executor for runtime 'python'");
  }
}

TEST_P(DispatcherTest, RetriesWithGrowingBackoffThenSucceeds) {
  addHandler("flaky", {}, 3);
  std::atomic<int> calls{0};
  executor_.script = [&](const dispatch::RunRequest& request, dispatch::RunContext&) {
    ++calls;
    return request.attempt < 3 ? failed("dependency down") : succeeded("third time lucky");
  };
  startDispatcher();
  auto job = waitTerminal(fireThroughService().jobs[0].jobId);
  EXPECT_EQ(job.state, JobState::Succeeded);
  EXPECT_EQ(job.attempt, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(historyKinds(job.id),
            (std::vector<std::string>{"CREATE", "RUN", "RETRY", "RUN", "RETRY", "RUN", "FINISH"}));
  // Backoff: the first retry waits >= base/2, the second >= base (jittered doubling).
  auto gap = [&](std::size_t retry) { return job.history[retry + 1].at - job.history[retry].at; };
  EXPECT_GE(gap(2), 50'000);
  EXPECT_GE(gap(4), 100'000);
  EXPECT_EQ(job.history[2].data["error"], "dependency down");
  EXPECT_EQ(metrics_.jobsRetried.value(), 2);
}

TEST_P(DispatcherTest, FailsAfterTheLastAttempt) {
  addHandler("broken", {}, 2);
  executor_.script = [](const dispatch::RunRequest&, dispatch::RunContext&) { return failed("Traceback: boom"); };
  startDispatcher();
  auto job = waitTerminal(fireThroughService().jobs[0].jobId);
  EXPECT_EQ(job.state, JobState::Failed);
  EXPECT_EQ(job.attempt, 2);
  EXPECT_EQ(job.error, "Traceback: boom");
  EXPECT_EQ(historyKinds(job.id).back(), "FAIL");
}

TEST_P(DispatcherTest, AnAttemptThatOverrunsItsTimeoutEndsTimedOutAndItsLateAnswerIsRejected) {
  storage::HandlerSpec spec;
  spec.name = "slow";
  spec.hook = "staging.new_assembly";
  spec.runtime = Runtime::Python;
  spec.code = "AAAA";
  spec.timeoutS = 1;
  store_->registerHandler(spec, alice_);
  std::atomic<bool> release{false};
  executor_.script = [&](const dispatch::RunRequest&, dispatch::RunContext&) {
    // An executor that cannot stop its handler: the dispatcher's watchdog must.
    for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return succeeded("too late");
  };
  startDispatcher();
  auto jobId = fireThroughService().jobs[0].jobId;
  auto job = waitTerminal(jobId);
  EXPECT_EQ(job.state, JobState::TimedOut);
  release = true;
  ASSERT_TRUE(eventually([&] { return dispatcher_->runningCount() == 0; }, std::chrono::seconds(10)));
  job = *store_->getJob(jobId);
  EXPECT_EQ(job.state, JobState::TimedOut);
  EXPECT_FALSE(job.result);
  EXPECT_EQ(job.history.back().data["rejected"], "stale completion");
  EXPECT_EQ(metrics_.staleCompletions.value(), 1);
}

TEST_P(DispatcherTest, EmittedEventsRunTheirHandlersAndTheChainDepthIsBounded) {
  addHandler("genebuild", {}, 1, 0, "staging.new_genebuild");
  addHandler("xrefs", {}, 1, 0, "staging.new_xrefs");
  executor_.script = [](const dispatch::RunRequest& request, dispatch::RunContext& context) {
    if (request.hook == "staging.new_genebuild") {
      dispatch::EmittedEvent next{"staging.new_xrefs", {{"genome", "g"}, {"database", "d"}}, {}, "flatfile:g"};
      EXPECT_TRUE(context.emit(next));
      EXPECT_TRUE(context.emit(next));  // the same key: recorded once
      auto bad = context.emit({"staging.new_xrefs", {{"genome", 1}}, {}, std::nullopt});
      EXPECT_FALSE(bad);
      EXPECT_EQ(bad.error().code, "invalid_payload");
      return succeeded("emitted");
    }
    // xrefs emits again and again: depth 2 is the limit in this test.
    auto again = context.emit({"staging.new_xrefs", {{"genome", "g"}, {"database", "d"}}, {}, std::nullopt});
    return again ? succeeded("chained") : succeeded(again.error().message);
  };
  startDispatcher();
  storage::NewEvent event;
  event.hook = "staging.new_genebuild";
  event.payload = {{"genome", "g"}, {"database", "d"}};
  event.createdBy = "ingest";
  auto root = waitTerminal(events_->fire(event)->jobs[0].jobId);
  EXPECT_EQ(root.state, JobState::Succeeded);
  auto emitted = root.history.back().data["emitted"];
  ASSERT_EQ(emitted.size(), 2u);
  auto childEvent = store_->getEvent(emitted[0]["event_id"]);
  EXPECT_EQ(childEvent->createdBy, "alice");
  EXPECT_EQ(childEvent->parentJobId, root.id);
  auto child = waitTerminal(store_->jobsOfEvent(childEvent->id)[0].id);
  EXPECT_EQ(child.result, "chained");
  auto grandchildEvent = store_->getEvent(child.history.back().data["emitted"][0]["event_id"]);
  EXPECT_EQ(grandchildEvent->depth, 2);
  auto grandchild = waitTerminal(store_->jobsOfEvent(grandchildEvent->id)[0].id);
  EXPECT_NE(grandchild.result->find("exceeds dispatch.max_chain_depth (2)"), std::string::npos) << *grandchild.result;
}

TEST_P(DispatcherTest, ADeferredJobWaitsAndTheCallbackTokenFinishesIt) {
  addHandler("archiver");
  std::string token;
  executor_.script = [&](const dispatch::RunRequest& request, dispatch::RunContext& context) {
    auto ticket = context.defer({});
    EXPECT_TRUE(ticket);
    EXPECT_EQ(ticket->callbackPath, "/v1/jobs/" + std::to_string(request.jobId) + "/callback");
    EXPECT_GE(ticket->token.size(), 32u);  // >= 128 bits
    token = ticket->token;
    RunOutcome outcome;
    outcome.status = RunStatus::Deferred;
    return outcome;
  };
  startDispatcher();
  auto jobId = fireThroughService().jobs[0].jobId;
  ASSERT_TRUE(watch_.waitUntil([&] { return stateOf(jobId) == JobState::Waiting; }, std::chrono::seconds(10)));
  ASSERT_TRUE(lifecycle_->callback(jobId, auth::sha256Hex(token), jobs::Trigger::CallbackFinish, {{"result", "stored"}}));
  EXPECT_EQ(store_->getJob(jobId)->result, "stored");
}

TEST_P(DispatcherTest, MaxConcurrencyIsNeverExceededAndOtherHandlersPass) {
  addHandler("serial", {"serial"}, 1, 1);
  addHandler("parallel", {"parallel"}, 1, 0);
  std::atomic<int> serialNow{0}, serialPeak{0}, parallelDone{0};
  executor_.script = [&](const dispatch::RunRequest& request, dispatch::RunContext&) {
    if (request.handlerName == "serial") {
      int now = ++serialNow;
      int peak = serialPeak;
      while (now > peak && !serialPeak.compare_exchange_weak(peak, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      --serialNow;
    } else {
      ++parallelDone;
    }
    return succeeded("ok");
  };
  startDispatcher(4);
  std::vector<std::int64_t> serialJobs, parallelJobs;
  for (int i = 0; i < 6; ++i) serialJobs.push_back(fireThroughService({"serial"}).jobs[0].jobId);
  for (int i = 0; i < 6; ++i) parallelJobs.push_back(fireThroughService({"parallel"}).jobs[0].jobId);
  // The parallel handler's jobs, fired after all the serial ones, finish before them.
  for (auto id : parallelJobs) EXPECT_EQ(waitTerminal(id).state, JobState::Succeeded);
  EXPECT_NE(stateOf(serialJobs.back()), JobState::Succeeded);
  for (auto id : serialJobs) EXPECT_EQ(waitTerminal(id).state, JobState::Succeeded);
  EXPECT_EQ(serialPeak, 1);
}

TEST_P(DispatcherTest, ALostHostsJobIsRescuedAndRunAgain) {
  addHandler("h", {}, 2);
  auto jobId = fireThroughService().jobs[0].jobId;
  store_->claimJobs("crashed-host", 1, -1);  // a lease that has already run out
  executor_.script = [](const dispatch::RunRequest& request, dispatch::RunContext&) {
    return succeeded("attempt " + std::to_string(request.attempt));
  };
  startDispatcher();
  auto job = waitTerminal(jobId);
  EXPECT_EQ(job.result, "attempt 2");
}

TEST(RetryPolicy, DoublesWithJitterUpToTheCap) {
  dispatch::RetryPolicy policy{std::chrono::milliseconds(1000), std::chrono::milliseconds(5000)};
  for (int i = 0; i < 50; ++i) {
    auto first = policy.delayBeforeRetry(1).count();
    EXPECT_GE(first, 500);
    EXPECT_LE(first, 1000);
    auto third = policy.delayBeforeRetry(3).count();
    EXPECT_GE(third, 2000);
    EXPECT_LE(third, 4000);
    auto capped = policy.delayBeforeRetry(30).count();
    EXPECT_GE(capped, 2500);
    EXPECT_LE(capped, 5000);
  }
}

}  // namespace
}  // namespace hookhost::testing
