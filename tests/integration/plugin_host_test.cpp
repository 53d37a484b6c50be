// Native plugins through the real host (issue 4's "Done when"): the SDK README's plugin built
// out of tree and dropped into a running host, every bad file reported over HTTP, crashing
// plugins isolated, trusted plugins in-process (live replace and http_forward are in
// plugin_host_live_test.cpp). Paths come from the build tree the hookhost binary lives in,
// so this suite needs no build settings of its own.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "host_fixture.hpp"
#include "plugin_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A value from the build tree's CMakeCache.txt ("KEY:TYPE=value").
std::string cacheValue(const std::string& key) {
  std::ifstream in(buildDir() / "CMakeCache.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) return line.substr(line.find('=') + 1);
  }
  return "";
}

fs::path sourceDir() { return cacheValue("CMAKE_HOME_DIRECTORY"); }

// Runs a shell command with its output appended to `log`; whether it succeeded.
bool run(const std::string& command, const fs::path& log) {
  return std::system((command + " >>'" + log.string() + "' 2>&1").c_str()) == 0;
}

// Every block of plugin-sdk/README.md whose info string says file=<name>, by name.
std::map<std::string, std::string> readmeFiles() {
  std::string readme = readFile(sourceDir() / "plugin-sdk" / "README.md");
  std::map<std::string, std::string> files;
  std::regex block("```[a-z]* file=([A-Za-z0-9_.]+)\\n([\\s\\S]*?)```");
  for (std::sregex_iterator it(readme.begin(), readme.end(), block), end; it != end; ++it) files[(*it)[1]] = (*it)[2];
  return files;
}


TEST_F(PluginHost, TheSdkReadmePluginBuiltOutOfTreeRunsOnTheNextEventOfARunningHost) {
  auto files = readmeFiles();
  ASSERT_EQ(files.size(), 3u) << "README blocks marked file=: greeter.cpp, CMakeLists.txt, greeter.json";
  fs::path work = dir_.path() / "greeter";
  fs::create_directories(work / "src");
  for (const auto& [name, text] : files) std::ofstream(work / "src" / name) << text;
  fs::path log = work / "build.log";
  std::string cmake = "'" + cacheValue("CMAKE_COMMAND") + "'";
  ASSERT_TRUE(run(cmake + " --install '" + buildDir().string() + "' --component plugin_sdk --prefix '" +
                      (work / "prefix").string() + "'",
                  log))
      << readFile(log);
  ASSERT_TRUE(run(cmake + " -S '" + (work / "src").string() + "' -B '" + (work / "build").string() +
                      "' -DCMAKE_PREFIX_PATH='" + (work / "prefix").string() + "' -DCMAKE_CXX_COMPILER='" +
                      cacheValue("CMAKE_CXX_COMPILER") + "'",
                  log))
      << readFile(log);
  ASSERT_TRUE(run(cmake + " --build '" + (work / "build").string() + "'", log)) << readFile(log);

  startHost();
  ASSERT_TRUE(plugins()["plugins"].empty()) << plugins();
  install(work / "build/greeter.so", "greeter.so");
  ASSERT_TRUE(pluginsShow([](const json& p) { return !findPlugin(p, "greeter").is_null(); })) << plugins();
  EXPECT_EQ(findPlugin(plugins(), "greeter")["version"], "1.0.0");

  // Without a manifest: registered over REST, run isolated with the registration's config.
  registerPlugin("hello", "ctingress.on_complete", "greeter/greet", {{"config", {{"punctuation", "!!"}}}});
  auto jobs = fireAndWait("ctingress.on_complete", seedPayload());
  ASSERT_EQ(jobs.size(), 1u) << jobs;
  EXPECT_EQ(jobs[0]["state"], "SUCCEEDED") << jobs;
  std::string bytes = std::to_string(seedPayload().dump().size());
  EXPECT_EQ(jobs[0]["result"], "Hello, alice!! Job " + std::to_string(jobs[0]["job_id"].get<long>()) + " got " +
                                   bytes + " bytes of ctingress.on_complete.");
  auto history = job(jobs[0]["job_id"]);
  EXPECT_NE(history.dump().find("{\"step\":\"greeting\"}"), std::string::npos) << history;

  // The manifest beside it: the plugin reloads with its config and registers its handler.
  install(work / "src/greeter.json", "greeter.json");
  ASSERT_TRUE(pluginsShow([](const json& p) { return !findPlugin(p, "greeter")["manifest"].is_null(); })) << plugins();
  // The listing changes first; the manifest's registration follows on the watcher thread.
  json handlers;
  ASSERT_TRUE(eventually([&] {
    handlers = host_->get("/v1/handlers?hook=ctingress.on_complete", adminKey_).body;
    return handlers.size() == 2;
  }, 10s)) << handlers;
  EXPECT_EQ(handlers[1]["name"], "greeter/greet");
  EXPECT_EQ(handlers[1]["created_by"], "hookhost");
  jobs = fireAndWait("ctingress.on_complete", seedPayload(), {"demo"});
  ASSERT_EQ(jobs.size(), 2u) << jobs;
  for (const auto& ran : jobs) {
    EXPECT_EQ(ran["state"], "SUCCEEDED") << ran;
    std::string tail = " Job " + std::to_string(ran["job_id"].get<long>()) + " got " + bytes + " bytes of ctingress.on_complete.";
    EXPECT_EQ(ran["result"], (ran["handler"] == "hello" ? "Good morning, alice!!" : "Good morning, hookhost.") + tail);
  }
}

TEST_F(PluginHost, EveryBadFileIsReportedByNameAndReasonWhileTheHostServes) {
  install(fixture("fixture_ok_v1"), "fixture_ok.so");
  install(fixture("fixture_ok_v2"), "zz_same_name.so");
  install(fixture("fixture_not_a_library"), "not_a_library.so");
  install(fixture("fixture_no_entry"), "no_entry.so");
  install(fixture("fixture_wrong_abi"), "wrong_abi.so");
  install(fixture("fixture_short_struct"), "short_struct.so");
  install(fixture("fixture_throws_in_init"), "throws_in_init.so");
  install(fixture("fixture_unknown_hook"), "unknown_hook.so");
  startHost();

  auto path = [&](const std::string& name) { return (pluginsDir() / name).string(); };
  std::map<std::string, std::string> expected = {
      {path("not_a_library.so"), path("not_a_library.so") + ": not a shared library: " + path("not_a_library.so") + ": invalid ELF header"},
      {path("no_entry.so"), path("no_entry.so") + ": no entry point hh_plugin_entry_v1"},
      {path("wrong_abi.so"), path("wrong_abi.so") + ": wrong ABI major version: plugin has 2, host supports 1"},
      {path("short_struct.so"), path("short_struct.so") + ": description too short: struct_size 8, need at least 72"},
      {path("throws_in_init.so"), path("throws_in_init.so") + ": init failed: database unreachable"},
      {path("unknown_hook.so"), path("unknown_hook.so") + ": handler 'x' is for unknown hook 'nope.hook'"},
      {path("zz_same_name.so"), path("zz_same_name.so") + ": duplicate plugin name 'fixture_ok' (already loaded from " +
                                    path("fixture_ok.so") + ")"}};
  auto listing = plugins();
  std::map<std::string, std::string> reported;
  for (const auto& error : listing["errors"]) reported[error["file"]] = error["error"];
  EXPECT_EQ(reported, expected) << listing.dump(2);
  ASSERT_EQ(listing["plugins"].size(), 1u) << listing.dump(2);
  EXPECT_EQ(listing["plugins"][0]["name"], "fixture_ok");
  for (const auto& [file, message] : expected) EXPECT_NE(host_->log().find(message), std::string::npos) << message;

  // One more bad file while it runs: reported too, and the good plugin keeps working.
  install(fixture("fixture_short_struct"), "late.so");
  ASSERT_TRUE(pluginsShow([](const json& p) { return p["errors"].size() == 8; })) << plugins();
  EXPECT_EQ(host_->get("/health", "").status, 200);
  registerPlugin("echo", "test.hook", "fixture_ok/echo");
  json payload = {{"n", 1}};
  auto jobs = fireAndWait("test.hook", payload);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["result"], echoOf("1", jobs[0], payload)) << jobs;
}

TEST_F(PluginHost, IsolatedPluginsThatCrashAbortExitOrHangFailOnlyTheirJob) {
  install(fixture("fixture_faults"), "fixture_faults.so");
  install(fixture("fixture_ok_v1"), "fixture_ok.so");
  startHost();
  for (std::string fault : {"segv", "abort", "exit3", "loop"}) {
    registerPlugin(fault, "test.hook", "fixture_faults/" + fault, {{"tags", {fault}}, {"timeout_s", 2}});
  }
  registerPlugin("echo", "test.hook", "fixture_ok/echo", {{"tags", {"healthy"}}});

  auto jobs = fireAndWait("test.hook", json::object(), {"segv", "abort", "exit3", "loop"});
  ASSERT_EQ(jobs.size(), 4u) << jobs;
  std::map<std::string, std::pair<std::string, std::string>> outcomes;
  for (const auto& ran : jobs) outcomes[ran["handler"]] = {ran["state"], ran["error"].is_string() ? ran["error"] : ""};
  EXPECT_EQ(outcomes["loop"].first, "TIMED_OUT");
  EXPECT_EQ(outcomes["loop"].second, "handler exceeded its timeout of 2s");
  auto failedWith = [&](const std::string& handler, const std::string& reason) {
    EXPECT_EQ(outcomes[handler].first, "FAILED") << handler;
    EXPECT_EQ(outcomes[handler].second.rfind("worker " + reason + " while running the handler", 0), 0u)
        << handler << ": " << outcomes[handler].second;
  };
  failedWith("segv", "killed by signal SIGSEGV");
  failedWith("abort", "killed by signal SIGABRT");
  failedWith("exit3", "exited with status 3");

  // The host is the same process, serving; a healthy plugin's next job succeeds, and the
  // crashed handler gets a fresh worker that fails the same clear way.
  EXPECT_EQ(host_->get("/health", "").status, 200);
  json payload = {{"after", "faults"}};
  auto healthy = fireAndWait("test.hook", payload, {"healthy"});
  ASSERT_EQ(healthy.size(), 1u);
  EXPECT_EQ(healthy[0]["state"], "SUCCEEDED") << healthy;
  EXPECT_EQ(healthy[0]["result"], echoOf("1", healthy[0], payload));
  auto again = fireAndWait("test.hook", json::object(), {"segv"});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["error"].get<std::string>().rfind("worker killed by signal SIGSEGV", 0), 0u) << again;
}

TEST_F(PluginHost, ATrustedPluginRunsInProcessWhereIsolationIsUnavailable) {
  install(bundled("comtrade_summary"), "comtrade_summary.so");
  install(fixture("fixture_ok_v1"), "fixture_ok.so");
  // No sandbox at all: only an in-process call can succeed.
  startHost({{"HOOKHOST_PLUGINS_TRUSTED", "comtrade_summary"}, {"HOOKHOST_SANDBOX_USER", "no-such-user-hh"}});
  registerPlugin("summary", "ctingress.on_complete", "comtrade_summary/summary");
  registerPlugin("echo", "ctingress.on_complete", "fixture_ok/echo");

  auto jobs = fireAndWait("ctingress.on_complete", seedPayload());
  ASSERT_EQ(jobs.size(), 2u) << jobs;
  EXPECT_EQ(jobs[0]["state"], "SUCCEEDED") << jobs;
  EXPECT_EQ(jobs[0]["result"],
            "COMTRADE archive comtrade_samples.zip\n"
            "Request 0bbcacdb-e7aa-4e01-af88-9ba865ea32bd, submitted 2020-10-29T21:58:15.09246084Z\n"
            "\n"
            "Data sets: 2 (1 ok, 1 failed)\n"
            "Streams: 1\n"
            "Time span: 2020-06-11T02:59:10.000000000Z to 2020-06-11T03:02:19.983333333Z (189.983333333 s)\n"
            "\n"
            "OK:\n"
            "  /DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg (1 stream)\n"
            "\n"
            "Failed:\n"
            "  /__MACOSX/DFR 2/._200610.cfg: cfg format error\n");
  EXPECT_EQ(jobs[1]["state"], "FAILED");
  EXPECT_EQ(jobs[1]["error"], "plugin 'fixture_ok' must run isolated, and the sandbox is unavailable: "
                              "sandbox.user: no such user 'no-such-user-hh'");
}

}  // namespace
}  // namespace hookhost::testing
