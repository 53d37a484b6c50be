// GET /v1/handlers/{id}/versions and POST /v1/handlers/{id}/rollback through the real host
// (issue 15, "Versions"), with Python handlers run in the sandbox.
#include <Poco/Base64Decoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <iterator>
#include <sstream>

#include "notify_host_fixture.hpp"
#include "repair_fixture.hpp"

namespace hookhost::testing {
namespace {

// SHA-256 of the pickle's bytes, as the host reports it.
std::string pickleSha256(const std::string& base64) {
  std::istringstream in(base64);
  Poco::Base64Decoder decoder(in);
  std::string bytes((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

class Versions : public RepairHost {
 protected:
  /// A Python handler answering `answer`, registered (or replaced) by alice.
  nlohmann::json registerAnswer(const std::string& answer, const std::vector<std::string>& tags) {
    code_.push_back(handlerPickle(dir_.path(), "def answer(ctx, **payload):\n    return '" + answer + "'\n", "answer"));
    nlohmann::json body = pythonHandler("answer");
    body["code"] = code_.back();
    body["tags"] = tags;
    auto reply = host_->request("POST", "/v1/handlers", body, userKey_);
    EXPECT_TRUE(reply.status == 201 || reply.status == 200) << reply.raw;
    return reply.body;
  }

  std::string runOnce() {
    auto reply = host_->request("POST", "/v1/events?wait=60", {{"hook", kHook}, {"payload", seedPayload()}},
                                publisherKey_);
    EXPECT_EQ(reply.status, 202) << reply.raw;
    if (reply.status != 202 || reply.body["jobs"].size() != 1) return "";
    const auto& result = reply.body["jobs"][0]["result"];
    return result.is_string() ? result.get<std::string>() : reply.raw;
  }

  std::vector<std::string> code_;  // each registration's pickle, in order
};

TEST_F(Versions, EveryRegistrationIsListedNewestFirstWithoutItsCode) {
  registerAnswer("one", {"first"});
  auto handler = registerAnswer("two", {"second"});
  const std::string path = "/v1/handlers/" + std::to_string(handler["id"].get<int>()) + "/versions";
  auto reply = host_->get(path, userKey_);
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body.size(), 2u) << reply.raw;
  EXPECT_EQ(reply.body[0]["version"], 2);
  EXPECT_EQ(reply.body[1]["version"], 1);
  EXPECT_EQ(reply.body[0]["runtime"], "python");
  EXPECT_EQ(reply.body[0]["code_sha256"], pickleSha256(code_[1]));
  EXPECT_EQ(reply.body[1]["code_sha256"], pickleSha256(code_[0]));
  EXPECT_EQ(reply.body[1]["settings"]["tags"], nlohmann::json({"first"}));
  EXPECT_EQ(reply.body[0]["updated_by"], "alice");
  EXPECT_TRUE(reply.body[0]["updated_at"].is_string());
  EXPECT_EQ(reply.raw.find(code_[0]), std::string::npos) << "the listing carries code";

  EXPECT_EQ(host_->get(path, otherKey_).status, 403);
  EXPECT_EQ(host_->get(path, adminKey_).status, 200);
  EXPECT_EQ(host_->get("/v1/handlers/999999/versions", userKey_).status, 404);

  // Deregistering keeps them, for the jobs that ran.
  auto deleted = host_->request("DELETE", "/v1/handlers/" + std::to_string(handler["id"].get<int>()), nullptr, userKey_);
  ASSERT_EQ(deleted.status, 200) << deleted.raw;
  auto kept = host_->get(path, userKey_);
  ASSERT_EQ(kept.status, 200) << kept.raw;
  EXPECT_EQ(kept.body.size(), 2u);
}

TEST_F(Versions, ARollbackMakesTheOldCodeAndSettingsCurrentAsANewVersion) {
  registerAnswer("one", {"first"});
  auto handler = registerAnswer("two", {"second"});
  const std::string id = std::to_string(handler["id"].get<int>());
  ASSERT_EQ(runOnce(), "two");

  auto rolled = host_->request("POST", "/v1/handlers/" + id + "/rollback", {{"version", 1}}, userKey_);
  ASSERT_EQ(rolled.status, 200) << rolled.raw;
  EXPECT_EQ(rolled.body["version"], 3);
  EXPECT_EQ(rolled.body["tags"], nlohmann::json({"first"}));
  EXPECT_EQ(rolled.body["id"], handler["id"]);
  EXPECT_EQ(runOnce(), "one") << "the rolled-back handler ran the new code";

  auto versions = host_->get("/v1/handlers/" + id + "/versions", userKey_);
  ASSERT_EQ(versions.body.size(), 3u) << versions.raw;
  EXPECT_EQ(versions.body[0]["code_sha256"], versions.body[2]["code_sha256"]);
  EXPECT_NE(versions.body[0]["code_sha256"], versions.body[1]["code_sha256"]);
}

TEST_F(Versions, ARollbackIsRefusedForUnknownVersionsBadBodiesAndOtherUsers) {
  registerAnswer("one", {});
  auto handler = registerAnswer("two", {});
  const std::string path = "/v1/handlers/" + std::to_string(handler["id"].get<int>()) + "/rollback";
  auto unknown = host_->request("POST", path, {{"version", 9}}, userKey_);
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  EXPECT_EQ(unknown.body["error"]["code"], "version_not_found");
  EXPECT_EQ(host_->request("POST", path, nlohmann::json::object(), userKey_).status, 422);
  EXPECT_EQ(host_->request("POST", path, {{"version", "1"}}, userKey_).status, 422);
  EXPECT_EQ(host_->request("POST", path, nullptr, userKey_).status, 400);
  EXPECT_EQ(host_->request("POST", path, {{"version", 1}}, otherKey_).status, 403);
  EXPECT_EQ(host_->request("POST", "/v1/handlers/999999/rollback", {{"version", 1}}, userKey_).status, 404);
  auto current = host_->get("/v1/handlers/" + std::to_string(handler["id"].get<int>()), userKey_);
  EXPECT_EQ(current.body["version"], 2) << "a refused rollback changed the handler";
  EXPECT_EQ(host_->request("POST", path, {{"version", 1}}, adminKey_).status, 200);
}

}  // namespace
}  // namespace hookhost::testing
