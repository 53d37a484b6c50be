#include "plugins/plugin_loader.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace hookhost::plugins {
namespace {

using test::fixture;

class PluginLoaderTest : public ::testing::Test {
 protected:
  Result<std::shared_ptr<LoadedPlugin>> load(const std::filesystem::path& file) {
    LoadRequest request;
    request.file = file;
    request.hookExists = test::knownHook;
    request.log = [this](int32_t, const std::string& line) { initLog.push_back(line); };
    return loader.load(request);
  }
  std::string errorOf(const std::filesystem::path& file) {
    auto loaded = load(file);
    if (loaded) return "(loaded)";
    return loaded.error().message;
  }

  test::TempDir copies;
  PluginLoader loader{copies.path()};
  std::vector<std::string> initLog;
};

TEST(PluginAbi, V1LayoutIsFrozen) {
  // Appending fields is fine; changing these breaks every compiled plugin.
  EXPECT_EQ(HH_PLUGIN_V1_MIN_SIZE, 72u);
  EXPECT_EQ(sizeof(hh_handler_v1), 32u);
  EXPECT_EQ(offsetof(hh_plugin_v1, abi_major), 4u);
  EXPECT_EQ(offsetof(hh_host_api_v1, log), 16u);
  EXPECT_EQ(offsetof(hh_call_v1, handler), 40u);
}

TEST_F(PluginLoaderTest, LoadsAGoodPluginFromAPrivateCopy) {
  auto loaded = load(fixture("fixture_ok_v1"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  const PluginInfo& info = (*loaded)->info();
  EXPECT_EQ(info.name, "fixture_ok");
  EXPECT_EQ(info.version, "1.0");
  EXPECT_EQ(info.file, fixture("fixture_ok_v1"));
  EXPECT_EQ(info.libraryPath.parent_path(), copies.path());
  EXPECT_GT(info.loadedAt, 0);
  ASSERT_EQ(info.handlers.size(), 7u);
  EXPECT_EQ(info.handlers[0].name, "echo");
  EXPECT_EQ(info.handlers[0].hooks, (std::vector<std::string>{"test.hook", "ctingress.on_complete"}));
  EXPECT_EQ(info.handlers[0].defaultTags, (std::vector<std::string>{"demo"}));
  EXPECT_EQ(info.handlers[0].description, "echoes the payload");
  EXPECT_EQ(info.handlers[1].name, "wait");
  EXPECT_TRUE(info.handlers[1].defaultTags.empty());
  EXPECT_EQ(initLog, (std::vector<std::string>{"fixture_ok 1 ready"}));
  auto json = (*loaded)->toJson();
  EXPECT_EQ(json["name"], "fixture_ok");
  EXPECT_EQ(json["handlers"][0]["default_tags"], nlohmann::json::array({"demo"}));
}

TEST_F(PluginLoaderTest, ReportsATextFileNamedSo) {
  auto file = fixture("fixture_not_a_library");
  EXPECT_EQ(errorOf(file), file.string() + ": not a shared library: " + file.string() +
                               ": invalid ELF header");
}

TEST_F(PluginLoaderTest, ReportsAMissingFile) {
  auto file = copies / "absent.so";
  EXPECT_EQ(errorOf(file), file.string() + ": no such file");
}

TEST_F(PluginLoaderTest, ReportsALibraryWithoutEntryPoint) {
  auto file = fixture("fixture_no_entry");
  EXPECT_EQ(errorOf(file), file.string() + ": no entry point hh_plugin_entry_v1");
}

TEST_F(PluginLoaderTest, ReportsAnAbiMajorMismatchNamingBothVersions) {
  auto file = fixture("fixture_wrong_abi");
  EXPECT_EQ(errorOf(file), file.string() + ": wrong ABI major version: plugin has 2, host supports 1");
}

TEST_F(PluginLoaderTest, ReportsADescriptionTooShort) {
  auto file = fixture("fixture_short_struct");
  EXPECT_EQ(errorOf(file), file.string() + ": description too short: struct_size 8, need at least 72");
}

TEST_F(PluginLoaderTest, ReportsAnInitThatThrows) {
  auto file = fixture("fixture_throws_in_init");
  EXPECT_EQ(errorOf(file), file.string() + ": init failed: database unreachable");
}

TEST_F(PluginLoaderTest, ReportsAHandlerForAnUnknownHook) {
  auto file = fixture("fixture_unknown_hook");
  EXPECT_EQ(errorOf(file), file.string() + ": handler 'x' is for unknown hook 'nope.hook'");
}

TEST_F(PluginLoaderTest, ReportsADuplicateName) {
  auto file = fixture("fixture_ok_v2");
  LoadRequest request;
  request.file = file;
  request.loadedFrom = [](const std::string& name) -> std::optional<std::filesystem::path> {
    if (name == "fixture_ok") return std::filesystem::path("/srv/plugins/fixture_ok.so");
    return std::nullopt;
  };
  auto loaded = loader.load(request);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, "duplicate_name");
  EXPECT_EQ(loaded.error().message,
            file.string() + ": duplicate plugin name 'fixture_ok' (already loaded from /srv/plugins/fixture_ok.so)");
}

TEST_F(PluginLoaderTest, GivesInitThePluginConfig) {
  LoadRequest request;
  request.file = fixture("fixture_ok_v1");
  request.config = {{"greeting", "bonjour"}};
  auto loaded = loader.load(request);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded)->info().config, request.config);
}

TEST_F(PluginLoaderTest, TwoLoadsOfOneFileAreIndependentCopies) {
  auto first = load(fixture("fixture_ok_v1"));
  auto second = load(fixture("fixture_ok_v1"));
  ASSERT_TRUE(first && second);
  EXPECT_NE((*first)->info().libraryPath, (*second)->info().libraryPath);
}

}  // namespace
}  // namespace hookhost::plugins
