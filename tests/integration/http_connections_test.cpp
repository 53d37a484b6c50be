// Connections answer with the JSON error shape and a flood of slow ones does not starve the
// host (issue 18: slowloris, resets instead of a 413, Poco's empty 400s, /health detail).
#include <chrono>
#include <memory>

#include "host_fixture.hpp"
#include "raw_http.hpp"

namespace hookhost::testing {
namespace {

using namespace std::chrono_literals;

void expectJsonError(const RawReply& reply, int status, const std::string& code) {
  EXPECT_EQ(reply.status, status) << reply.raw.substr(0, 400);
  ASSERT_TRUE(reply.body.is_object()) << reply.raw.substr(0, 400);
  EXPECT_EQ(reply.body["error"]["code"], code) << reply.raw.substr(0, 400);
  EXPECT_FALSE(reply.body["error"]["message"].get<std::string>().empty());
  EXPECT_NE(reply.head.find("Content-Type: application/json"), std::string::npos) << reply.head;
}

using HttpConnections = HostTest;

TEST_F(HttpConnections, ATwentyMebibyteBodyWithoutExpectContinueGetsItsReadable413) {
  std::string body(20u << 20, 'x');
  std::string request = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Authorization: Bearer " + publisherKey_ + "\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n";
  RawConnection client(host_->port());
  ASSERT_TRUE(client.connected());
  // As urllib does: the whole body first, then the answer.
  EXPECT_TRUE(client.send(request + body)) << "the host reset the connection while the body was sent";
  auto reply = parseRawReply(client.receiveResponse(15s));
  expectJsonError(reply, 413, "body_too_large");
}

TEST_F(HttpConnections, AMalformedRequestLineIsAJson400) {
  expectJsonError(rawExchange(host_->port(), "GARBAGE\r\n\r\n"), 400, "malformed_request");
  expectJsonError(rawExchange(host_->port(), "GET /health HTTP/9.9.9.9.9\r\n\r\n"), 400, "malformed_request");
}

TEST_F(HttpConnections, OversizedHeadersAreAJson400) {
  std::string huge = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(100000, 'a') + "\r\n\r\n";
  expectJsonError(rawExchange(host_->port(), huge), 400, "malformed_request");
  std::string many = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 500; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  expectJsonError(rawExchange(host_->port(), many + "\r\n"), 400, "malformed_request");
}

TEST_F(HttpConnections, ATlsClientHelloOnThePlainPortIsAJson400) {
  // The first bytes of a TLS 1.2 ClientHello record (content type 22, version 3.1).
  std::string hello = {'\x16', '\x03', '\x01', '\x00', '\xa5', '\x01', '\x00', '\x00', '\xa1', '\x03', '\x03'};
  for (int i = 0; i < 32; ++i) hello += static_cast<char>('A' + i % 26);  // the client random
  hello += std::string("\x00\x00\x20\xc0\x2b\xc0\x2f", 7);
  expectJsonError(rawExchange(host_->port(), hello), 400, "malformed_request");
  EXPECT_EQ(host_->get("/health", "").status, 200);
}

TEST_F(HttpConnections, HealthIsLivenessForAnyoneAndDetailForKeyHolders) {
  auto open = host_->get("/health", "");
  ASSERT_EQ(open.status, 200) << open.raw;
  EXPECT_EQ(open.body, nlohmann::json({{"status", "ok"}})) << open.raw;
  auto badKey = host_->get("/health", "hh_000000000000_bad");
  EXPECT_EQ(badKey.status, 200) << badKey.raw;
  EXPECT_FALSE(badKey.body.contains("hosts")) << badKey.raw;
  auto detailed = host_->get("/health", publisherKey_);
  ASSERT_EQ(detailed.status, 200) << detailed.raw;
  EXPECT_EQ(detailed.body["status"], "ok");
  EXPECT_TRUE(detailed.body["host"].is_string()) << detailed.raw;
  EXPECT_TRUE(detailed.body["hosts"].is_array()) << detailed.raw;
}

class HttpHealthDetailOn : public HostTest {
  std::map<std::string, std::string> environment() override { return {{"HOOKHOST_HTTP_HEALTH_DETAIL", "true"}}; }
};

TEST_F(HttpHealthDetailOn, ShowsTheHostListWithoutAKey) {
  auto open = host_->get("/health", "");
  ASSERT_EQ(open.status, 200) << open.raw;
  EXPECT_TRUE(open.body["hosts"].is_array()) << open.raw;
}

class HttpFlood : public HostTest {
  std::map<std::string, std::string> environment() override { return {{"HOOKHOST_HTTP_HEADER_TIMEOUT_MS", "1500"}}; }
};

TEST_F(HttpFlood, ThreeHundredHalfSentHeadersDoNotBlockHealthOrFires) {
  // Another client address on loopback: the flood comes from 127.0.0.2, the test from .1.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 300; ++i) {
    auto connection = std::make_unique<RawConnection>(host_->port(), "127.0.0.2");
    ASSERT_TRUE(connection->connected()) << i;
    connection->send("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty");
    slow.push_back(std::move(connection));
  }
  const auto started = std::chrono::steady_clock::now();
  auto health = host_->get("/health", "");
  EXPECT_EQ(health.status, 200) << health.raw;
  nlohmann::json fire = {{"hook", "staging.new_assembly"}, {"payload", {{"genome", "g"}, {"database", "d"}}}};
  auto fired = host_->request("POST", "/v1/events", fire, publisherKey_);
  EXPECT_EQ(fired.status, 202) << fired.raw;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);

  // Past its limit the flooding address was answered at once; the rest time out with a 408.
  int refused = 0, timedOut = 0;
  for (auto& connection : slow) {
    auto reply = parseRawReply(connection->receiveResponse(5s));
    if (reply.status == 503 && reply.body["error"]["code"] == "too_many_connections") ++refused;
    if (reply.status == 408 && reply.body["error"]["code"] == "request_timeout") ++timedOut;
  }
  EXPECT_EQ(refused, 300 - 32);
  EXPECT_EQ(timedOut, 32);
  EXPECT_EQ(host_->get("/health", "").status, 200);
}

TEST_F(HttpFlood, AClientSilentInTheMiddleOfItsRequestLineGets408) {
  // No newline: Poco reads a header line by line, so this waits inside the line.
  RawConnection client(host_->port());
  ASSERT_TRUE(client.send("GET /heal"));
  const auto started = std::chrono::steady_clock::now();
  auto reply = parseRawReply(client.receiveResponse(10s));
  expectJsonError(reply, 408, "request_timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace hookhost::testing
