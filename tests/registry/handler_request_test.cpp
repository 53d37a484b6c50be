// Registration parsing without a server: what a POST /v1/handlers body becomes, and the exact
// refusal for each bad field (issue 13).
#include <gtest/gtest.h>

#include "registry/handler_request.hpp"

namespace hookhost::registry {
namespace {

using nlohmann::json;

class HandlerRequest : public ::testing::Test {
 protected:
  static json python() {
    return {{"name", "h"}, {"hook", "ctingress.on_complete"}, {"runtime", "python"}, {"code", "gASVAAAAAAAAAAA="},
            {"notify_on_success", "a@example.com"}, {"tags", {"demo"}}};
  }
  Result<storage::HandlerSpec> parse(const json& body) { return parseRegistration(body, catalog_, rules_); }
  void expectRefused(const json& body, ErrorKind kind, const std::string& messagePart) {
    auto parsed = parse(body);
    ASSERT_FALSE(parsed) << body.dump();
    EXPECT_EQ(parsed.error().kind, kind) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(messagePart), std::string::npos) << parsed.error().message;
  }

  HookCatalog catalog_ = HookCatalog::loadFromDirectory(HOOKHOST_SOURCE_DIR "/conf/hooks");
  RegistrationRules rules_;
};

TEST_F(HandlerRequest, APythonHandlerKeepsItsCodeAsSentAndGetsTheDefaults) {
  auto parsed = parse(python());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->runtime, Runtime::Python);
  EXPECT_EQ(parsed->code, "gASVAAAAAAAAAAA=");
  EXPECT_EQ(parsed->timeoutS, rules_.defaultTimeoutS);
  EXPECT_EQ(parsed->tags, std::vector<std::string>{"demo"});
}

TEST_F(HandlerRequest, PythonAndDillVersionsAreCheckedAndTheMinorVersionKept) {
  json body = python();
  EXPECT_EQ(parse(body)->pythonVersion, "");
  body["python_version"] = "3.11.4";
  body["dill_version"] = "0.3.6";
  EXPECT_EQ(parse(body)->pythonVersion, "3.11");
  body["python_version"] = "3.12";
  EXPECT_EQ(parse(body)->pythonVersion, "3.12");
  body["python_version"] = 3.11;
  expectRefused(body, ErrorKind::Unprocessable, "python_version: must be the Python version");
  body["python_version"] = "latest";
  expectRefused(body, ErrorKind::Unprocessable, "python_version: must be the Python version");
  body["python_version"] = "3.11";
  body["dill_version"] = "newest; rm -rf";
  expectRefused(body, ErrorKind::Unprocessable, "dill_version: must be a dill version");
}

TEST_F(HandlerRequest, TheRuntimeDefaultsToPython) {
  json body = python();
  body.erase("runtime");
  auto parsed = parse(body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->runtime, Runtime::Python);
}

TEST_F(HandlerRequest, APluginHandlerNamesPluginAndHandler) {
  json body = {{"name", "p"}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"}, {"plugin", "x/y"}};
  auto parsed = parse(body);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->runtime, Runtime::Plugin);
  EXPECT_EQ(parsed->plugin, "x/y");
  EXPECT_EQ(handlerToJson(storage::Handler{.spec = *parsed})["runtime"], "plugin");
}

TEST_F(HandlerRequest, AnUnknownRuntimeIsRefused) {
  json body = python();
  body["runtime"] = "ruby";
  expectRefused(body, ErrorKind::Unprocessable, "must be \"python\" or \"plugin\"");
}

TEST_F(HandlerRequest, CodeThatIsNotBase64IsRefused) {
  json body = python();
  body["code"] = "not base64!";
  expectRefused(body, ErrorKind::Unprocessable, "must be the base64 of a dill pickle");
}

TEST_F(HandlerRequest, APluginNameWithoutItsHandlerIsRefused) {
  for (const char* plugin : {"x", "/y", "x/"}) {
    json body = {{"name", "p"}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"}, {"plugin", plugin}};
    expectRefused(body, ErrorKind::Unprocessable, "must name '<plugin name>/<handler name>'");
  }
}

TEST_F(HandlerRequest, APluginNoLoadedPluginProvidesIsRefused) {
  rules_.pluginHandlerExists = [](const std::string&) { return false; };
  json body = {{"name", "p"}, {"hook", "ctingress.on_complete"}, {"runtime", "plugin"}, {"plugin", "x/y"}};
  expectRefused(body, ErrorKind::Unprocessable, "no loaded plugin provides 'x/y'");
}

TEST_F(HandlerRequest, AnUnknownHookIsNotFound) {
  json body = python();
  body["hook"] = "no.such.hook";
  expectRefused(body, ErrorKind::NotFound, "no.such.hook");
}

TEST_F(HandlerRequest, TagsMustBeNonEmptyStrings) {
  json body = python();
  body["tags"] = {"ok", ""};
  expectRefused(body, ErrorKind::Unprocessable, "must be a list of non-empty strings");
  body["tags"] = "demo";
  expectRefused(body, ErrorKind::Unprocessable, "must be a list of strings");
}

TEST_F(HandlerRequest, CodeOverTheLimitIsRefused) {
  rules_.maxCodeBytes = 8;
  expectRefused(python(), ErrorKind::Unprocessable, "is larger than 8 bytes");
}

TEST_F(HandlerRequest, AFilterIsKeptAsSentNullClearsItAndAbsentLeavesItToTheStore) {
  EXPECT_FALSE(parse(python())->filter) << "absent: a replace keeps the handler's filter";
  json body = python();
  body["filter"] = nullptr;
  auto cleared = parse(body);
  ASSERT_TRUE(cleared && cleared->filter);
  EXPECT_TRUE(cleared->filter->is_null());
  body["filter"] = {{"DataSets", {{"Success", {false}}}}};
  auto filtered = parse(body);
  ASSERT_TRUE(filtered && filtered->filter) << (filtered ? "" : filtered.error().message);
  EXPECT_EQ(*filtered->filter, body["filter"]);

  storage::Handler handler;
  handler.spec = *filtered;
  EXPECT_EQ(handlerToJson(handler)["filter"], body["filter"]);
  handler.spec.filter = nlohmann::json();
  EXPECT_TRUE(handlerToJson(handler)["filter"].is_null());
}

TEST_F(HandlerRequest, AMalformedFilterIsRefusedNamingItsPath) {
  json body = python();
  body["filter"] = {{"DataSets", {{"Success", {{{"exists", 1}}}}}}};
  expectRefused(body, ErrorKind::Unprocessable, "filter at /DataSets/Success/0/exists: must be true or false");
  EXPECT_EQ(parse(body).error().code, "invalid_filter");
  body["filter"] = json::array({1});
  expectRefused(body, ErrorKind::Unprocessable, "filter: must be a JSON object");
}

}  // namespace
}  // namespace hookhost::registry
