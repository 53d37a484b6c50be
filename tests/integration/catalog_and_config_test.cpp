// Start-up refusals: a malformed hook catalog, a bad config value, a newer schema (issue 2).
#include <fstream>

#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(Startup, AMalformedCatalogFileStopsStartWithItsNameAndReason) {
  TempDir dir;
  writeFile(dir.path() / "hooks" / "good.json",
            R"({"name": "good", "description": "fine", "payload_schema": {"type": "object"}})");
  writeFile(dir.path() / "hooks" / "broken.json", R"({"name": "broken", "description": )");
  HostProcess host(dir.path() / "data", {{"HOOKHOST_HOOKS_DIR", (dir.path() / "hooks").string()}});
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("broken.json: not valid JSON"), std::string::npos) << host.log();
}

TEST(Startup, ACatalogEntryWithoutASchemaIsRefused) {
  TempDir dir;
  writeFile(dir.path() / "hooks" / "noschema.json", R"({"name": "x", "description": "y"})");
  HostProcess host(dir.path() / "data", {{"HOOKHOST_HOOKS_DIR", (dir.path() / "hooks").string()}});
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("noschema.json: \"payload_schema\" must be a JSON Schema object"), std::string::npos)
      << host.log();
}

TEST(Startup, ACustomCatalogIsServed) {
  TempDir dir;
  writeFile(dir.path() / "hooks" / "release.json",
            R"({"name": "release.done", "description": "a release finished",
                "payload_schema": {"type": "object", "required": ["version"]}})");
  HostProcess host(dir.path() / "data", {{"HOOKHOST_HOOKS_DIR", (dir.path() / "hooks").string()}});
  std::string key = host.addUser("root", "admin");
  ASSERT_TRUE(host.start()) << host.log();
  auto hooks = host.get("/v1/hooks", key);
  ASSERT_EQ(hooks.body.size(), 1u);
  EXPECT_EQ(hooks.body[0]["name"], "release.done");
  EXPECT_EQ(host.stop(), 0);
}

TEST(Startup, ABadConfigValueNamesTheVariable) {
  TempDir dir;
  HostProcess host(dir.path() / "data", {{"HOOKHOST_DISPATCH_WORKERS", "many"}});
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("HOOKHOST_DISPATCH_WORKERS: 'dispatch.workers' must be an integer"), std::string::npos)
      << host.log();
}

TEST(Startup, ABadSandboxPoolSettingIsRefusedWithItsKey) {
  TempDir dir;
  HostProcess host(dir.path() / "data", {{"HOOKHOST_SANDBOX_RECYCLE_AFTER_RUNS", "0"}});
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("sandbox.recycle_after_runs: must be a positive integer"), std::string::npos)
      << host.log();
}

TEST(Startup, AConfigFileIsReadAndTheEnvironmentOverridesIt) {
  TempDir dir;
  writeFile(dir.path() / "hookhost.json", R"({"http": {"port": 1, "max_body_bytes": 100}, "data.dir": "/nonexistent"})");
  HostProcess host(dir.path() / "data", {});
  host.setConfigFile(dir.path() / "hookhost.json");
  std::string key = host.addUser("root", "admin");
  // HostProcess sets HOOKHOST_HTTP_PORT=0 and HOOKHOST_DATA_DIR: they win over the file,
  // while the file's body limit, which nothing overrides, applies.
  ASSERT_TRUE(host.start()) << host.log();
  EXPECT_EQ(httpRequest(host.port(), "POST", "/v1/handlers", std::string(200, ' '), key).status, 413);
  EXPECT_EQ(host.stop(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "hookhost.db"));
}

TEST(Startup, ADatabaseFromANewerHookhostIsRefused) {
  TempDir dir;
  HostProcess host(dir.path() / "data");
  ASSERT_FALSE(host.addUser("root", "admin").empty());  // creates and migrates the database
  std::string sqlite = "sqlite3 '" + (dir.path() / "data" / "hookhost.db").string() +
                       "' 'UPDATE schema_version SET version = 999'";
  ASSERT_EQ(std::system(sqlite.c_str()), 0);
  ASSERT_FALSE(host.start(std::chrono::seconds(20)));
  EXPECT_NE(host.log().find("the database has schema version 999, newer than this hookhost supports"),
            std::string::npos)
      << host.log();
}

TEST(UserCommand, AddListRevokeAndErrors) {
  TempDir dir;
  HostProcess host(dir.path() / "data");
  std::string out, err;
  ASSERT_EQ(host.runCommand({"user", "add", "carol", "--email", "carol@example.com", "--role", "publisher"}, &out, &err), 0)
      << err;
  EXPECT_EQ(out.rfind("hh_", 0), 0u);
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "only the key, once";
  EXPECT_NE(host.runCommand({"user", "add", "carol", "--email", "carol@example.com"}, &out, &err), 0);
  EXPECT_NE(err.find("already exists"), std::string::npos) << err;
  EXPECT_NE(host.runCommand({"user", "add", "dave", "--email", "nope"}, &out, &err), 0);
  EXPECT_NE(err.find("not an email address"), std::string::npos) << err;
  EXPECT_NE(host.runCommand({"user", "add", "dave", "--email", "d@example.com", "--role", "king"}, &out, &err), 0);
  EXPECT_NE(err.find("--role must be admin, user or publisher"), std::string::npos) << err;
  ASSERT_EQ(host.runCommand({"user", "list"}, &out, &err), 0);
  EXPECT_NE(out.find("carol\tcarol@example.com\tpublisher\tactive"), std::string::npos) << out;
  EXPECT_EQ(out.find("hh_"), std::string::npos) << "keys are never listed";
  ASSERT_EQ(host.runCommand({"user", "revoke", "carol"}, &out, &err), 0) << err;
  EXPECT_NE(host.runCommand({"user", "revoke", "carol"}, &out, &err), 0);
  ASSERT_EQ(host.runCommand({"user", "list"}, &out, &err), 0);
  EXPECT_NE(out.find("carol\tcarol@example.com\tpublisher\trevoked"), std::string::npos) << out;
}

TEST(Bootstrap, TheFirstStartCreatesAnAdminAndPrintsItsKeyOnce) {
  TempDir dir;
  HostProcess host(dir.path() / "data");
  ASSERT_TRUE(host.start()) << host.log();
  std::string out = host.output();
  const std::string label = "admin API key (shown once, stored hashed): ";
  auto at = out.find(label);
  ASSERT_NE(at, std::string::npos) << out;
  // The key is the rest of that line, whatever its format.
  const auto from = at + label.size();
  const auto lineEnd = out.find('\n', from);
  ASSERT_NE(lineEnd, std::string::npos) << out;
  std::string key = out.substr(from, lineEnd - from);
  ASSERT_FALSE(key.empty()) << out;
  EXPECT_EQ(host.get("/v1/hooks", key).status, 200);
  ASSERT_EQ(host.stop(), 0);
  ASSERT_TRUE(host.start()) << host.log();
  EXPECT_EQ(host.output().find("admin API key", at + 1), std::string::npos) << "printed again on restart";
  EXPECT_EQ(host.stop(), 0);
}

}  // namespace
}  // namespace hookhost::testing
