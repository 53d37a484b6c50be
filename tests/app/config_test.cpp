// Config parsing without a server: defaults, file, environment, and the exact error for each
// kind of bad value (issue 13).
#include <gtest/gtest.h>

#include <fstream>

#include "app/config.hpp"
#include "host_process.hpp"

namespace hookhost::app {
namespace {

using Environment = std::map<std::string, std::string>;

std::string loadError(const std::optional<std::filesystem::path>& file, const Environment& environment) {
  try {
    Config::load(file, environment);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

class ConfigFile : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    auto path = dir_.path() / "hookhost.json";
    std::ofstream(path) << text;
    return path;
  }
  testing::TempDir dir_;
};

TEST(Config, DefaultsApplyWithoutFileOrEnvironment) {
  auto config = Config::load(std::nullopt, {});
  EXPECT_EQ(config.text("http.host"), "127.0.0.1");
  EXPECT_EQ(config.integer("http.port"), 8080);
  EXPECT_EQ(config.duration("dispatch.drain_timeout"), std::chrono::seconds(30));
  EXPECT_EQ(config.duration("dispatch.poll_interval"), std::chrono::milliseconds(500));
  EXPECT_FALSE(config.isSet("data.url"));
  EXPECT_TRUE(config.list("plugins.trusted").empty());
}

TEST(Config, TheEnvironmentOverridesInTheKeysType) {
  auto config = Config::load(std::nullopt, {{"HOOKHOST_HTTP_PORT", "0"},
                                            {"HOOKHOST_DISPATCH_DRAIN_TIMEOUT", "1500ms"},
                                            {"HOOKHOST_PLUGINS_TRUSTED", "a,,b"},
                                            {"HOOKHOST_SANDBOX_NETWORK", "1"}});
  EXPECT_EQ(config.integer("http.port"), 0);
  EXPECT_EQ(config.duration("dispatch.drain_timeout"), std::chrono::milliseconds(1500));
  EXPECT_EQ(config.list("plugins.trusted"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(config.flag("sandbox.network"));
}

TEST(Config, SandboxPythonsIsAMapFromTheFileOrTheEnvironment) {
  EXPECT_TRUE(Config::load(std::nullopt, {}).map("sandbox.pythons").empty());
  const std::map<std::string, std::string> two = {{"3.11", "/usr/bin/python3.11"}, {"3.12", "/opt/py/bin/python3"}};
  EXPECT_EQ(Config::load(std::nullopt, {{"HOOKHOST_SANDBOX_PYTHONS", "3.11=/usr/bin/python3.11,3.12=/opt/py/bin/python3"}})
                .map("sandbox.pythons"),
            two);
  EXPECT_EQ(Config::load(std::nullopt,
                         {{"HOOKHOST_SANDBOX_PYTHONS", R"({"3.11": "/usr/bin/python3.11", "3.12": "/opt/py/bin/python3"})"}})
                .map("sandbox.pythons"),
            two);
  EXPECT_NE(loadError(std::nullopt, {{"HOOKHOST_SANDBOX_PYTHONS", "3.11"}}).find("must be an object of strings"),
            std::string::npos);
}

TEST(Config, ABadEnvironmentValueNamesTheVariableAndTheKey) {
  EXPECT_EQ(loadError(std::nullopt, {{"HOOKHOST_DISPATCH_WORKERS", "many"}}),
            "environment variable HOOKHOST_DISPATCH_WORKERS: 'dispatch.workers' must be an integer, got \"many\"");
  EXPECT_EQ(loadError(std::nullopt, {{"HOOKHOST_DISPATCH_DRAIN_TIMEOUT", "soon"}}),
            "environment variable HOOKHOST_DISPATCH_DRAIN_TIMEOUT: 'dispatch.drain_timeout' must be a duration "
            "such as \"30s\", got \"soon\"");
  EXPECT_EQ(loadError(std::nullopt, {{"HOOKHOST_SANDBOX_NETWORK", "maybe"}}),
            "environment variable HOOKHOST_SANDBOX_NETWORK: 'sandbox.network' must be true or false, got \"maybe\"");
}

TEST_F(ConfigFile, NestedAndDottedKeysBothWorkAndTheEnvironmentWins) {
  auto file = write(R"({"http": {"port": 9000, "host": "127.0.0.2"}, "dispatch.workers": 3})");
  auto config = Config::load(file, {{"HOOKHOST_HTTP_PORT", "9001"}});
  EXPECT_EQ(config.integer("http.port"), 9001);
  EXPECT_EQ(config.text("http.host"), "127.0.0.2");
  EXPECT_EQ(config.integer("dispatch.workers"), 3);
}

TEST_F(ConfigFile, UnknownKeysAreReportedNotRefused) {
  auto config = Config::load(write(R"({"http": {"port": 1, "colour": "blue"}, "extra": 1})"), {});
  EXPECT_EQ(config.unknownKeys(), (std::vector<std::string>{"extra", "http.colour"}));
}

TEST_F(ConfigFile, AWrongTypeInTheFileNamesTheFileAndTheKey) {
  auto file = write(R"({"http": {"port": "eighty"}})");
  EXPECT_EQ(loadError(file, {}), file.string() + ": 'http.port' must be an integer, got \"eighty\"");
  file = write(R"({"plugins": {"trusted": ["a", 1]}})");
  EXPECT_EQ(loadError(file, {}), file.string() + ": 'plugins.trusted' must be a list of strings, got [\"a\",1]");
}

TEST_F(ConfigFile, AFileThatIsNotAJsonObjectIsRefused) {
  auto file = write("[1, 2]");
  EXPECT_EQ(loadError(file, {}), file.string() + ": must hold a JSON object");
  file = write("{\"http\": ");
  EXPECT_EQ(loadError(file, {}).rfind(file.string() + ": not valid JSON: ", 0), 0u);
  EXPECT_EQ(loadError(dir_.path() / "missing.json", {}), (dir_.path() / "missing.json").string() +
                                                             ": cannot read the config file");
}

}  // namespace
}  // namespace hookhost::app
