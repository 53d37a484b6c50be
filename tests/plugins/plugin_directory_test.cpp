#include "plugins/plugin_directory.hpp"

#include <atomic>
#include <fstream>
#include <future>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "plugins/in_process_plugin_executor.hpp"
#include "test_support.hpp"

namespace hookhost::plugins {
namespace {

using namespace std::chrono_literals;
using dispatch::RunStatus;

PluginDirectoryOptions options(const std::filesystem::path& dir, std::chrono::milliseconds poll = 20ms) {
  PluginDirectoryOptions o;
  o.dir = dir;
  o.hookExists = test::knownHook;
  o.pollInterval = poll;
  o.log = [](const std::string&) {};
  return o;
}

std::map<std::string, std::string> errorsByFile(const PluginSnapshot& snapshot) {
  std::map<std::string, std::string> out;
  for (const auto& error : snapshot.errors) out[error.file.filename().string()] = error.message;
  return out;
}

TEST(PluginDirectory, LoadsEveryGoodFileAndReportsEveryBadOne) {
  test::TempDir dir;
  for (const char* name : {"fixture_wrong_abi", "fixture_short_struct", "fixture_no_entry", "fixture_not_a_library",
                           "fixture_throws_in_init", "fixture_unknown_hook"}) {
    test::installFile(test::fixture(name), dir / (std::string(name) + ".so"));
  }
  test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
  test::installFile(test::fixture("fixture_ok_v2"), dir / "fixture_ok_dup.so");
  std::ofstream(dir / "README.txt") << "not a plugin";

  PluginDirectory directory(options(dir.path()));
  std::vector<std::uint64_t> seen;
  directory.setOnChange([&](const PluginSnapshot& s) { seen.push_back(s.generation); });
  directory.start();
  auto snapshot = directory.snapshot();
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{1}));
  ASSERT_EQ(snapshot->plugins.size(), 1u);
  EXPECT_EQ(snapshot->plugins[0]->name(), "fixture_ok");
  EXPECT_EQ(snapshot->plugins[0]->info().version, "1.0");

  auto p = [&](const char* file) { return (dir / file).string(); };
  std::map<std::string, std::string> expected = {
      {"fixture_ok_dup.so", p("fixture_ok_dup.so") + ": duplicate plugin name 'fixture_ok' (already loaded from " +
                                p("fixture_ok.so") + ")"},
      {"fixture_wrong_abi.so", p("fixture_wrong_abi.so") + ": wrong ABI major version: plugin has 2, host supports 1"},
      {"fixture_short_struct.so", p("fixture_short_struct.so") + ": description too short: struct_size 8, need at least 72"},
      {"fixture_no_entry.so", p("fixture_no_entry.so") + ": no entry point hh_plugin_entry_v1"},
      {"fixture_not_a_library.so", p("fixture_not_a_library.so") + ": not a shared library: " +
                                       p("fixture_not_a_library.so") + ": invalid ELF header"},
      {"fixture_throws_in_init.so", p("fixture_throws_in_init.so") + ": init failed: database unreachable"},
      {"fixture_unknown_hook.so", p("fixture_unknown_hook.so") + ": handler 'x' is for unknown hook 'nope.hook'"},
  };
  EXPECT_EQ(errorsByFile(*snapshot), expected);

  auto json = snapshot->toJson();
  EXPECT_EQ(json["plugins"].size(), 1u);
  EXPECT_EQ(json["errors"].size(), 7u);
  EXPECT_EQ(json["plugins"][0]["handlers"][0]["name"], "echo");
  EXPECT_EQ(json["errors"][0]["code"], "no_entry_point");  // sorted by file
  EXPECT_EQ(json["errors"][0]["file"], p("fixture_no_entry.so"));
}

TEST(PluginDirectory, ExposesTheManifestAndReportsABadOne) {
  test::TempDir dir;
  test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
  std::ofstream(dir / "fixture_ok.json") << R"({"config": {"greeting": "hi"}, "handlers": [
      {"handler": "echo", "hook": "test.hook", "tags": ["demo"], "notify_on_success": "ok@example.com",
       "notify_on_failure": "bad@example.com", "config": {"url": "http://x"}, "execution": "in_process"}]})";
  test::installFile(test::fixture("fixture_faults"), dir / "fixture_faults.so");
  std::ofstream(dir / "fixture_faults.json") << R"({"handlers": [{"handler": "segv", "execution": "sometimes"}]})";

  PluginDirectory directory(options(dir.path()));
  directory.start();
  auto snapshot = directory.snapshot();
  auto ok = snapshot->find("fixture_ok");
  ASSERT_TRUE(ok);
  ASSERT_TRUE(ok->info().manifest);
  const auto& handler = ok->info().manifest->handlers.at(0);
  EXPECT_EQ(handler.name, "fixture_ok/echo");
  EXPECT_EQ(handler.hook, "test.hook");
  EXPECT_EQ(handler.tags, (std::vector<std::string>{"demo"}));
  EXPECT_EQ(handler.notifyOnSuccess, "ok@example.com");
  EXPECT_EQ(handler.execution, Execution::InProcess);
  EXPECT_EQ(ok->info().config, (nlohmann::json{{"greeting", "hi"}}));
  EXPECT_FALSE(snapshot->find("fixture_faults"));
  ASSERT_EQ(snapshot->errors.size(), 1u);
  EXPECT_EQ(snapshot->errors[0].message,
            (dir / "fixture_faults.json").string() + ": handlers[0].hook must be a non-empty string");
}

TEST(PluginDirectory, AMissingDirectoryIsEmptyNotFatal) {
  test::TempDir dir;
  PluginDirectory directory(options(dir / "absent"));
  directory.start();
  EXPECT_TRUE(directory.snapshot()->plugins.empty());
  std::filesystem::create_directory(dir / "absent");
  test::installFile(test::fixture("fixture_ok_v1"), dir / "absent" / "fixture_ok.so");
  ASSERT_TRUE(directory.waitForGeneration(1, 10s));
  EXPECT_TRUE(directory.snapshot()->find("fixture_ok"));
}

// A call held inside a plugin version: started on a thread, released by the test.
class HeldCall {
 public:
  HeldCall(InProcessPluginExecutor& executor) {
    EXPECT_EQ(::pipe(started_), 0);
    EXPECT_EQ(::pipe(release_), 0);
    outcome_ = std::async(std::launch::async, [&executor, this] {
      test::RecordingContext context;
      return executor.run(test::request("fixture_ok/wait", {{"started_fd", started_[1]}, {"release_fd", release_[0]}}),
                          context);
    });
    char byte;
    EXPECT_EQ(::read(started_[0], &byte, 1), 1);
  }
  ~HeldCall() {
    for (int fd : {started_[0], started_[1], release_[0], release_[1]}) ::close(fd);
  }
  dispatch::RunOutcome finish() {
    char byte = 'r';
    EXPECT_EQ(::write(release_[1], &byte, 1), 1);
    EXPECT_EQ(outcome_.wait_for(10s), std::future_status::ready);
    return outcome_.get();
  }

 private:
  int started_[2];
  int release_[2];
  std::future<dispatch::RunOutcome> outcome_;
};

TEST(PluginDirectory, AddsReplacesAndRemovesWhileCallsFlow) {
  test::TempDir dir;
  PluginDirectory directory(options(dir.path()));
  InProcessPluginExecutor executor(directory);
  directory.start();
  EXPECT_EQ(directory.snapshot()->generation, 0u);

  // Calls keep flowing from another thread through every change below; each must end in
  // exactly one of the expected ways.
  std::atomic<bool> stop{false};
  std::atomic<int> v1{0}, v2{0}, missing{0}, other{0};
  std::thread caller([&] {
    test::RecordingContext context;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!stop && std::chrono::steady_clock::now() < deadline) {
      auto outcome = executor.run(test::request("fixture_ok/echo"), context);
      if (outcome.status == RunStatus::Succeeded && outcome.result.rfind("v1 ", 0) == 0) ++v1;
      else if (outcome.status == RunStatus::Succeeded && outcome.result.rfind("v2 ", 0) == 0) ++v2;
      else if (outcome.error == "no plugin named 'fixture_ok' is loaded" ||
               outcome.error == "plugin 'fixture_ok' was removed from " + dir.path().string()) ++missing;
      else ++other;
    }
  });

  test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
  ASSERT_TRUE(directory.waitForGeneration(1, 10s));
  test::RecordingContext context;
  EXPECT_EQ(executor.run(test::request("fixture_ok/echo"), context).result.substr(0, 3), "v1 ");

  {
    HeldCall held(executor);
    test::installFile(test::fixture("fixture_ok_v2"), dir / "fixture_ok.so");
    ASSERT_TRUE(directory.waitForGeneration(2, 10s));
    EXPECT_EQ(directory.snapshot()->find("fixture_ok")->info().version, "2.0");
    EXPECT_EQ(executor.run(test::request("fixture_ok/echo"), context).result.substr(0, 3), "v2 ");
    auto old = held.finish();
    EXPECT_EQ(old.status, RunStatus::Succeeded) << old.error;
    EXPECT_EQ(old.result, "v1 finished");
  }

  std::filesystem::remove(dir / "fixture_ok.so");
  ASSERT_TRUE(directory.waitForGeneration(3, 10s));
  EXPECT_EQ(executor.run(test::request("fixture_ok/echo"), context).error,
            "plugin 'fixture_ok' was removed from " + dir.path().string());
  EXPECT_EQ(directory.snapshot()->removed, (std::set<std::string>{"fixture_ok"}));

  stop = true;
  caller.join();
  EXPECT_GT(v1 + v2, 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(missing.load(), 0);
}

TEST(PluginDirectory, ABrokenReplacementLeavesTheOldVersionServing) {
  test::TempDir dir;
  test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
  PluginDirectory directory(options(dir.path()));
  directory.start();
  test::installFile(test::fixture("fixture_not_a_library"), dir / "fixture_ok.so");
  ASSERT_TRUE(directory.waitForGeneration(2, 10s));
  auto snapshot = directory.snapshot();
  ASSERT_TRUE(snapshot->find("fixture_ok"));
  EXPECT_EQ(snapshot->find("fixture_ok")->info().version, "1.0");
  ASSERT_EQ(snapshot->errors.size(), 1u);
  EXPECT_EQ(snapshot->errors[0].code, "not_shared_library");
}

TEST(PluginDirectory, ADuplicateLoadsOnceTheOriginalLeaves) {
  test::TempDir dir;
  test::installFile(test::fixture("fixture_ok_v1"), dir / "a.so");
  test::installFile(test::fixture("fixture_ok_v2"), dir / "b.so");
  PluginDirectory directory(options(dir.path()));
  directory.start();
  EXPECT_EQ(directory.snapshot()->find("fixture_ok")->info().version, "1.0");
  ASSERT_EQ(directory.snapshot()->errors.size(), 1u);
  std::filesystem::remove(dir / "a.so");
  EXPECT_TRUE(directory.rescan());
  auto snapshot = directory.snapshot();
  ASSERT_TRUE(snapshot->find("fixture_ok"));
  EXPECT_EQ(snapshot->find("fixture_ok")->info().version, "2.0");
  EXPECT_TRUE(snapshot->errors.empty());
  EXPECT_TRUE(snapshot->removed.empty());
}

TEST(PluginDirectory, RescanWithoutChangesChangesNothing) {
  test::TempDir dir;
  test::installFile(test::fixture("fixture_ok_v1"), dir / "fixture_ok.so");
  PluginDirectory directory(options(dir.path()));
  directory.start();
  auto before = directory.snapshot();
  EXPECT_FALSE(directory.rescan());
  EXPECT_EQ(directory.snapshot(), before);
}

// Every library copy below `dir`, in whichever run's folder.
int copiesIn(const std::filesystem::path& dir) {
  int count = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".so") ++count;
  }
  return count;
}

PluginDirectoryOptions withCopies(const test::TempDir& plugins, const test::TempDir& data) {
  auto o = options(plugins.path());
  // Searchable by others (the sandbox user), so the copies go where configured.
  std::filesystem::permissions(data.path(), std::filesystem::perms(0755));
  o.copyDir = data / "plugins";
  return o;
}

TEST(PluginDirectory, CopiesOfRunsThatDiedGoAtTheNextStartAndALiveRunKeepsItsOwn) {
  test::TempDir plugins, data;
  test::installFile(test::fixture("fixture_ok_v1"), plugins / "fixture_ok.so");
  // An earlier version's flat copy is removed too.
  std::filesystem::create_directories(data / "plugins");
  test::installFile(test::fixture("fixture_ok_v1"), data / "plugins" / "fixture_ok.7.so");
  PluginDirectory live(withCopies(plugins, data));
  live.start();
  for (int run = 0; run < 3; ++run) {
    // A host that dies without its destructors: kill -9, a crash, _exit past them.
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      PluginDirectory dying(withCopies(plugins, data));
      dying.start();
      ::_exit(dying.snapshot()->plugins.size() == 1 && copiesIn(data / "plugins") >= 2 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  {
    PluginDirectory next(withCopies(plugins, data));
    next.start();
    ASSERT_EQ(next.snapshot()->plugins.size(), 1u);
    // The live run's copy and the new one's; the three dead runs' and the flat one are gone.
    EXPECT_EQ(copiesIn(data / "plugins"), 2);
    EXPECT_FALSE(std::filesystem::exists(data / "plugins" / "fixture_ok.7.so"));
    EXPECT_TRUE(std::filesystem::exists(live.snapshot()->find("fixture_ok")->info().libraryPath));
  }
  EXPECT_EQ(copiesIn(data / "plugins"), 1) << "a stopped run removes its own copies";
}

TEST(PluginDirectory, AReplacedVersionsCopyGoesOnceNoCallHoldsIt) {
  test::TempDir plugins, data;
  test::installFile(test::fixture("fixture_ok_v1"), plugins / "fixture_ok.so");
  PluginDirectory directory(withCopies(plugins, data));
  directory.start();
  auto held = directory.resolve("fixture_ok/echo");
  ASSERT_TRUE(held) << held.error().message;
  const auto oldCopy = held->plugin->info().libraryPath;

  test::installFile(test::fixture("fixture_ok_v2"), plugins / "fixture_ok.so");
  ASSERT_TRUE(directory.rescan());
  EXPECT_EQ(directory.snapshot()->find("fixture_ok")->info().version, "2.0");
  EXPECT_TRUE(std::filesystem::exists(oldCopy)) << "a call still holds version 1";
  EXPECT_EQ(copiesIn(data / "plugins"), 2);

  held = directory.resolve("fixture_ok/echo");  // drops the last hold on version 1
  EXPECT_FALSE(std::filesystem::exists(oldCopy));
  EXPECT_EQ(copiesIn(data / "plugins"), 1);
  // Version 2 serves on from its own copy.
  test::RecordingContext context;
  InProcessPluginExecutor executor(directory);
  EXPECT_EQ(executor.run(test::request("fixture_ok/echo"), context).result.substr(0, 3), "v2 ");
}

}  // namespace
}  // namespace hookhost::plugins
