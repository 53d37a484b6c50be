// Drives hookhost-plugin-worker directly over pipes, as the sandbox's worker pool does.
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/frame.hpp"
#include "test_support.hpp"

extern char** environ;

namespace hookhost::plugins {
namespace {

using nlohmann::json;

class Worker {
 public:
  Worker() {
    int toWorker[2];
    int fromWorker[2];
    EXPECT_EQ(::pipe2(toWorker, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(fromWorker, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toWorker[0], 0);
    posix_spawn_file_actions_adddup2(&actions, fromWorker[1], 1);
    char* argv[] = {const_cast<char*>(HH_TEST_WORKER), nullptr};
    EXPECT_EQ(::posix_spawn(&pid_, HH_TEST_WORKER, &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(toWorker[0]);
    ::close(fromWorker[1]);
    in_ = fromWorker[0];
    out_ = toWorker[1];
  }
  ~Worker() {
    if (out_ >= 0) ::close(out_);
    ::close(in_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void send(const json& message) { ASSERT_TRUE(writeFrame(out_, message)); }

  /// The next frame, or an error code: "closed", "silent" (nothing within the wait), ...
  Result<json> receive(int waitMs = 10'000) {
    pollfd fd{in_, POLLIN, 0};
    int ready = ::poll(&fd, 1, waitMs);
    if (ready == 0) return makeError(ErrorKind::Internal, "silent", "no frame in time");
    return readFrame(in_);
  }

  json load(const std::filesystem::path& library, const std::string& handler, json config = json::object()) {
    send({{"type", "load"}, {"library", library.string()}, {"handler", handler}, {"config", config}});
    auto reply = receive();
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : json();
  }

  void run(json payload = json::object(), json config = json::object()) {
    send({{"type", "run"},
          {"job", {{"job_id", 7}, {"event_id", 3}, {"hook", "test.hook"}, {"user", "alice"}, {"attempt", 2},
                   {"handler", "registered"}, {"handler_id", 11}, {"handler_version", 1}}},
          {"config", config},
          {"payload", payload}});
  }

  /// Frames up to and including the result.
  std::vector<json> untilResult() {
    std::vector<json> frames;
    for (int i = 0; i < 100; ++i) {
      auto frame = receive();
      if (!frame) {
        ADD_FAILURE() << "no result: " << frame.error().code;
        return frames;
      }
      frames.push_back(*frame);
      if ((*frame)["type"] == "result") return frames;
    }
    ADD_FAILURE() << "no result in 100 frames";
    return frames;
  }

  void closeInput() {
    ::close(out_);
    out_ = -1;
  }

  /// Waits for the worker to end; returns its wait status.
  int wait() {
    int status = 0;
    EXPECT_EQ(::waitpid(pid_, &status, 0), pid_);
    pid_ = -1;
    return status;
  }

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

TEST(PluginWorker, LoadsAndRunsJobsWhileStayingWarm) {
  Worker worker;
  auto loaded = worker.load(test::fixture("fixture_ok_v1"), "echo");
  EXPECT_EQ(loaded, (json{{"type", "loaded"}, {"plugin", "fixture_ok"}, {"version", "1.0"}}));
  for (int i = 0; i < 3; ++i) {
    worker.run({{"i", i}});
    auto frames = worker.untilResult();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], (json{{"type", "result"},
                               {"status", "succeeded"},
                               {"result", "v1 test.hook job 7 attempt 2 user alice: {\"i\":" +
                                              std::to_string(i) + "}"}}));
  }
  worker.closeInput();
  int status = worker.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(PluginWorker, ForwardsLogsUpdatesAndCapturedOutputBeforeTheResult) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "chatty");
  worker.run();
  auto frames = worker.untilResult();
  std::vector<json> logs, updates;
  std::string out, err;
  for (const auto& frame : frames) {
    if (frame["type"] == "log") logs.push_back(frame["line"]);
    if (frame["type"] == "update") updates.push_back(frame["data"]);
    if (frame["type"] == "output" && frame["stream"] == "stdout") out += frame["text"].get<std::string>();
    if (frame["type"] == "output" && frame["stream"] == "stderr") err += frame["text"].get<std::string>();
  }
  EXPECT_EQ(logs, (std::vector<json>{"a log line", "[warn] a warning"}));
  EXPECT_EQ(updates, (std::vector<json>{{{"progress", 50}}}));
  EXPECT_EQ(out, "printed to stdout\n");
  EXPECT_EQ(err, "written to stderr\n");
  EXPECT_EQ(frames.back(), (json{{"type", "result"}, {"status", "succeeded"}, {"result", "chatted"}}));
}

TEST(PluginWorker, PassesConfigFromLoadAndRun) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "config", {{"greeting", "salut"}});
  worker.run({}, {{"url", "http://per-call"}});
  auto frames = worker.untilResult();
  EXPECT_EQ(frames.back()["result"], R"(salut "http://per-call" -1 {"url":"http://per-call"})");
}

TEST(PluginWorker, EmitWaitsForTheHostsAnswer) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "emit");
  worker.run();
  auto first = worker.receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (json{{"type", "emit"}, {"hook", "test.hook"}, {"payload", {{"from", "fixture"}}},
                          {"tags", {"t1"}}, {"key", "key-1"}}));
  worker.send({{"type", "emit_result"}, {"ok", true}});
  auto second = worker.receive();
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)["hook"], "nope.hook");
  EXPECT_EQ((*second)["key"], nullptr);
  worker.send({{"type", "emit_result"}, {"ok", false}, {"error", "unknown hook 'nope.hook'"}});
  auto frames = worker.untilResult();
  EXPECT_EQ(frames.back()["result"], "emitted; second: unknown hook 'nope.hook'");
}

TEST(PluginWorker, DeferEndsTheJobDeferred) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "defer");
  worker.run();
  auto request = worker.receive();
  ASSERT_TRUE(request);
  EXPECT_EQ(*request, (json{{"type", "defer"}, {"data", {{"waiting_for", "approval"}}}}));
  worker.send({{"type", "defer_result"}, {"ok", true}, {"token", "T"}, {"callback_path", "/v1/jobs/7/callback"}});
  auto frames = worker.untilResult();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], (json{{"type", "log"}, {"line", "token T at /v1/jobs/7/callback"}}));
  EXPECT_EQ(frames[1], (json{{"type", "result"}, {"status", "deferred"}}));
}

TEST(PluginWorker, AnExceptionFailsTheJobAndTheWorkerLivesOn) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "fail");
  worker.run();
  EXPECT_EQ(worker.untilResult().back(),
            (json{{"type", "result"}, {"status", "failed"}, {"error", "the archive is empty"}, {"traceback", ""}}));
  worker.run();
  EXPECT_EQ(worker.untilResult().back()["status"], "failed");
}

TEST(PluginWorker, ReportsALoadErrorAndExits) {
  Worker worker;
  auto file = test::fixture("fixture_wrong_abi");
  auto reply = worker.load(file, "run");
  EXPECT_EQ(reply, (json{{"type", "error"},
                         {"error", file.string() + ": wrong ABI major version: plugin has 2, host supports 1"}}));
  int status = worker.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

TEST(PluginWorker, ReportsAnUnknownHandler) {
  Worker worker;
  EXPECT_EQ(worker.load(test::fixture("fixture_ok_v1"), "nope"),
            (json{{"type", "error"}, {"error", "plugin 'fixture_ok' has no handler 'nope'"}}));
}

TEST(PluginWorker, ASegfaultClosesThePipeAndNamesTheSignal) {
  Worker worker;
  worker.load(test::fixture("fixture_faults"), "segv");
  worker.run();
  auto frame = worker.receive();
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "closed");
  int status = worker.wait();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
}

TEST(PluginWorker, AnAbortClosesThePipe) {
  Worker worker;
  worker.load(test::fixture("fixture_faults"), "abort");
  worker.run();
  auto frame = worker.receive();
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "closed");
  int status = worker.wait();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
}

TEST(PluginWorker, ExitInAHandlerClosesThePipeWithItsCode) {
  Worker worker;
  worker.load(test::fixture("fixture_faults"), "exit3");
  worker.run();
  auto frame = worker.receive();
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "closed");
  int status = worker.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(PluginWorker, AnEndlessLoopStaysSilentUntilKilled) {
  Worker worker;
  worker.load(test::fixture("fixture_faults"), "loop");
  worker.run();
  auto frame = worker.receive(300);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "silent");
  ASSERT_EQ(::kill(worker.pid(), SIGKILL), 0);
  int status = worker.wait();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST(PluginWorker, RunsABundledPluginIsolated) {
  Worker worker;
  EXPECT_EQ(worker.load(test::bundledPlugin("comtrade_summary"), "summary")["type"], "loaded");
  worker.run({{"DataSets", {{{"Name", "a.cfg"}, {"Success", true}, {"Error", ""},
                             {"Streams", {{{"StartNs", 0}, {"EndNs", 1'500'000'000}}}}}}},
              {"File", "x.zip"}});
  auto result = worker.untilResult().back();
  EXPECT_EQ(result["status"], "succeeded") << result.dump();
  EXPECT_NE(result["result"].get<std::string>().find(
                "Time span: 1970-01-01T00:00:00.000000000Z to 1970-01-01T00:00:01.500000000Z (1.5 s)"),
            std::string::npos)
      << result.dump();
}

TEST(PluginWorker, QuitsOnAMessageOutOfProtocol) {
  Worker worker;
  worker.load(test::fixture("fixture_ok_v1"), "echo");
  worker.send({{"type", "dance"}});
  auto frame = worker.receive();
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error().code, "closed");
  int status = worker.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace hookhost::plugins
