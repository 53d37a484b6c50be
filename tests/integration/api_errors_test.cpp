// Every error status of the contract with its JSON error body, and the auth matrix (issue 2).
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "host_fixture.hpp"

namespace hookhost::testing {
namespace {

using ApiErrors = HostTest;

void expectError(const HttpReply& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.raw;
  ASSERT_TRUE(reply.body.is_object()) << reply.raw;
  EXPECT_EQ(reply.body["error"]["code"], code) << reply.raw;
  EXPECT_TRUE(reply.body["error"]["message"].is_string());
  EXPECT_FALSE(reply.body["error"]["message"].get<std::string>().empty());
  EXPECT_EQ(reply.contentType, "application/json");
}

TEST_F(ApiErrors, MissingOrBadKeysAre401) {
  expectError(host_->get("/v1/hooks", ""), 401, "unauthorized");
  expectError(host_->get("/v1/hooks", "hh_000000000000_0000000000000000000000000000000000000000"), 401, "unauthorized");
  expectError(host_->get("/v1/hooks", "not-a-key"), 401, "unauthorized");
  expectError(httpRequest(host_->port(), "GET", "/v1/handlers", "", "", {{"Authorization", "Basic abc"}}), 401,
              "unauthorized");
  // A key with one character changed is refused.
  std::string tampered = userKey_;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  expectError(host_->get("/v1/hooks", tampered), 401, "unauthorized");
}

TEST_F(ApiErrors, ARevokedKeyStopsWorking) {
  ASSERT_EQ(host_->get("/v1/hooks", otherKey_).status, 200);
  std::string err;
  ASSERT_EQ(host_->runCommand({"user", "revoke", "bob"}, nullptr, &err), 0) << err;
  expectError(host_->get("/v1/hooks", otherKey_), 401, "unauthorized");
}

TEST_F(ApiErrors, RolesThatMayNotActAre403) {
  expectError(host_->request("POST", "/v1/handlers", pythonHandler("x"), publisherKey_), 403, "forbidden");
  nlohmann::json fire = {{"hook", "staging.new_assembly"}, {"payload", {{"genome", "g"}, {"database", "d"}}}};
  expectError(host_->request("POST", "/v1/events", fire, userKey_), 403, "forbidden");
  EXPECT_EQ(host_->request("POST", "/v1/events", fire, publisherKey_).status, 202);
  EXPECT_EQ(host_->request("POST", "/v1/events", fire, adminKey_).status, 202);
}

TEST_F(ApiErrors, PublicRoutesNeedNoKey) {
  EXPECT_EQ(host_->get("/health", "").status, 200);
  auto metrics = host_->get("/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.raw.find("hookhost_queue_depth"), std::string::npos);
}

TEST_F(ApiErrors, MalformedJsonIs400) {
  expectError(httpRequest(host_->port(), "POST", "/v1/handlers", "{\"name\": ", userKey_), 400, "malformed_json");
  expectError(httpRequest(host_->port(), "POST", "/v1/handlers", "", userKey_), 400, "missing_body");
}

TEST_F(ApiErrors, SchemaAndFieldViolationsAre422) {
  auto send = [&](nlohmann::json body) { return host_->request("POST", "/v1/handlers", body, userKey_); };
  auto body = pythonHandler("x");
  body["notify_on_success"] = "not an address";
  expectError(send(body), 422, "invalid_notify_on_success");
  body = pythonHandler("x");
  body["notify_on_failure"] = "a@b@c";
  expectError(send(body), 422, "invalid_notify_on_failure");
  body = pythonHandler("");
  expectError(send(body), 422, "invalid_name");
  body = pythonHandler("x");
  body["name"] = 42;
  expectError(send(body), 422, "invalid_name");
  body = pythonHandler("x");
  body["tags"] = "demo";
  expectError(send(body), 422, "invalid_tags");
  body = pythonHandler("x");
  body["tags"] = {1, 2};
  expectError(send(body), 422, "invalid_tags");
  body = pythonHandler("x");
  body["code"] = "not base64!";
  expectError(send(body), 422, "invalid_code");
  body = pythonHandler("x");
  body["runtime"] = "ruby";
  expectError(send(body), 422, "invalid_runtime");
  body = pythonHandler("x");
  body["timeout_s"] = "60";
  expectError(send(body), 422, "invalid_timeout_s");
  body = pythonHandler("x");
  body["max_attempts"] = 0;
  expectError(send(body), 422, "invalid_max_attempts");
  expectError(send(nlohmann::json::array()), 422, "invalid_body");
  // Nothing of the above was stored.
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());

  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", {{"File", 3}}}};
  auto reply = host_->request("POST", "/v1/events", fire, publisherKey_);
  expectError(reply, 422, "invalid_payload");
}

TEST_F(ApiErrors, UnknownThingsAre404) {
  expectError(host_->request("POST", "/v1/handlers", pythonHandler("x", "no.such.hook"), userKey_), 404, "unknown_hook");
  expectError(host_->get("/v1/handlers/999", userKey_), 404, "handler_not_found");
  expectError(host_->get("/v1/handlers/abc", userKey_), 404, "handler_not_found");
  expectError(host_->request("DELETE", "/v1/handlers/999", nullptr, userKey_), 404, "handler_not_found");
  expectError(host_->get("/v1/nothing-here", userKey_), 404, "not_found");
  expectError(host_->get("/v1/jobs/77", adminKey_), 404, "job_not_found");
  expectError(host_->get("/v1/events/77", adminKey_), 404, "event_not_found");
  nlohmann::json fire = {{"hook", "no.such.hook"}, {"payload", nlohmann::json::object()}};
  expectError(host_->request("POST", "/v1/events", fire, publisherKey_), 404, "unknown_hook");
}

TEST_F(ApiErrors, ABodyOverTheLimitIs413BeforeItIsRead) {
  // Only the headers are sent: the answer must come without the host waiting for 17 MiB.
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(host_->port())));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  std::string head = "POST /v1/handlers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + userKey_ +
                     "\r\nContent-Type: application/json\r\nContent-Length: 17825792\r\n\r\n";
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  std::string answer;
  char buffer[4096];
  for (int i = 0; i < 100 && answer.find("body_too_large") == std::string::npos; ++i) {
    int got = socket.receiveBytes(buffer, sizeof buffer);
    if (got <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(got));
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"code\":\"body_too_large\""), std::string::npos) << answer;
  EXPECT_EQ(host_->get("/health", "").status, 200);
}

class SmallBodyLimit : public HostTest {
  std::map<std::string, std::string> environment() override { return {{"HOOKHOST_HTTP_MAX_BODY_BYTES", "1024"}}; }
};

TEST_F(SmallBodyLimit, TheConfiguredLimitApplies) {
  auto body = pythonHandler("x");
  body["code"] = std::string(2048, 'A');
  expectError(host_->request("POST", "/v1/handlers", body, userKey_), 413, "body_too_large");
  EXPECT_EQ(host_->request("POST", "/v1/handlers", pythonHandler("x"), userKey_).status, 201);
}

}  // namespace
}  // namespace hookhost::testing
