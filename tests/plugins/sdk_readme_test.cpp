// Builds plugin-sdk/README.md's example out of tree against the installed SDK and loads it,
// so the README cannot rot.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "plugins/call_info.hpp"
#include "plugins/plugin_directory.hpp"
#include "plugins/run_context_scope.hpp"
#include "test_support.hpp"

namespace hookhost::plugins {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every fenced block whose info string says file=<name>, by name.
std::map<std::string, std::string> readmeFiles() {
  std::string readme = readFile(fs::path(HH_TEST_SOURCE_DIR) / "plugin-sdk" / "README.md");
  std::map<std::string, std::string> files;
  std::regex block("```[a-z]* file=([A-Za-z0-9_.]+)\\n([\\s\\S]*?)```");
  for (std::sregex_iterator it(readme.begin(), readme.end(), block), end; it != end; ++it) {
    files[(*it)[1]] = (*it)[2];
  }
  return files;
}

// Runs a shell command, its output into `log`; returns whether it succeeded.
bool run(const std::string& command, const fs::path& log) {
  return std::system((command + " >>'" + log.string() + "' 2>&1").c_str()) == 0;
}

TEST(SdkReadme, TheExampleBuildsOutOfTreeAndLoads) {
  auto files = readmeFiles();
  ASSERT_EQ(files.size(), 3u) << "README blocks marked file=: greeter.cpp, CMakeLists.txt, greeter.json";
  test::TempDir work;
  fs::create_directories(work / "src");
  for (const auto& [name, text] : files) std::ofstream(work / "src" / name) << text;
  fs::path log = work / "build.log";

  ASSERT_TRUE(run(std::string("'") + HH_TEST_CMAKE + "' --install '" + HH_TEST_BINARY_DIR +
                      "' --component plugin_sdk --prefix '" + (work / "prefix").string() + "'",
                  log))
      << readFile(log);
  ASSERT_TRUE(fs::exists(work / "prefix/lib/cmake/hookhost_plugin_sdk/hookhost_plugin_sdkConfig.cmake"));
  ASSERT_TRUE(run(std::string("'") + HH_TEST_CMAKE + "' -S '" + (work / "src").string() + "' -B '" +
                      (work / "build").string() + "' -DCMAKE_PREFIX_PATH='" + (work / "prefix").string() +
                      "' -DCMAKE_CXX_COMPILER='" + HH_TEST_CXX + "'",
                  log))
      << readFile(log);
  ASSERT_TRUE(run(std::string("'") + HH_TEST_CMAKE + "' --build '" + (work / "build").string() + "'", log))
      << readFile(log);
  ASSERT_TRUE(fs::exists(work / "build/greeter.so")) << readFile(log);

  // Dropped into a plugins directory with its manifest, as the README says.
  fs::create_directories(work / "plugins");
  test::installFile(work / "build/greeter.so", work / "plugins/greeter.so");
  test::installFile(work / "src/greeter.json", work / "plugins/greeter.json");
  PluginDirectoryOptions options;
  options.dir = work / "plugins";
  options.hookExists = [](const std::string& hook) { return hook == "ctingress.on_complete"; };
  options.log = [](const std::string&) {};
  PluginDirectory directory(options);
  directory.start();
  auto snapshot = directory.snapshot();
  ASSERT_TRUE(snapshot->errors.empty()) << snapshot->toJson().dump(2);
  auto greeter = snapshot->find("greeter");
  ASSERT_TRUE(greeter);
  EXPECT_EQ(greeter->info().version, "1.0.0");
  ASSERT_TRUE(greeter->info().manifest);
  EXPECT_EQ(greeter->info().manifest->handlers.at(0).name, "greeter/greet");

  test::RecordingContext context;
  auto request = test::request("greeter/greet", {{"File", "x.zip"}}, greeter->info().manifest->handlers.at(0).config);
  request.hook = "ctingress.on_complete";
  auto resolved = directory.resolve(request.plugin);
  ASSERT_TRUE(resolved) << resolved.error().message;
  CallInfo call(request, resolved->handler);
  RunContextScope scope(context, greeter->info().config, request.config);
  auto result = greeter->handle(call.abi(), request.payload.dump(), scope);
  EXPECT_EQ(result.status, dispatch::RunStatus::Succeeded) << result.error;
  EXPECT_EQ(result.result, "Good morning, alice. Job 7 got 16 bytes of ctingress.on_complete.");
  EXPECT_EQ(context.logs(), (std::vector<std::string>{"greeting alice"}));
  EXPECT_EQ(context.updates(), (std::vector<nlohmann::json>{{{"step", "greeting"}}}));
}

}  // namespace
}  // namespace hookhost::plugins
