#pragma once
// The fixture of the mail suites through the real host (notify_host_test.cpp,
// notify_host_outage_test.cpp): a real SMTP server on loopback (tests/fixtures/smtp_sink.py,
// python3-aiosmtpd), the bundled comtrade_summary plugin trusted in-process for success and
// a sandboxed Python handler that raises for failure.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host_fixture.hpp"
#include "smtp_sink_process.hpp"

namespace hookhost::testing {

/// Runs a shell command and returns its stdout; `ok` says whether it exited 0.
std::string capture(const std::string& command, bool* ok);
/// The whole file, bytes as they are.
std::string slurp(const std::filesystem::path& path);
/// An .eml as a mail client reads it (tests/notify/parse_eml.py): headers, subject, body.
nlohmann::json parseEml(const std::filesystem::path& file);
/// The value of one header in the raw message (ASCII headers only, as ours are).
std::string rawHeader(const std::string& message, const std::string& name);
/// The .eml files in `dir` and its subdirectories, sorted by path.
std::vector<std::filesystem::path> emlFiles(const std::filesystem::path& dir);
/// A dill pickle (base64) of `function`, defined by the python `source`; `dir` holds the
/// script that makes it.
std::string handlerPickle(const std::filesystem::path& dir, const std::string& source, const std::string& function);
/// A dill pickle (base64) of a handler that fails the way a notebook's would: a helper
/// raises on the sample's bad data set. `dir` holds the script that makes it.
std::string raisingHandlerPickle(const std::filesystem::path& dir);
/// A comtrade_summary/summary handler tagged with its own name.
nlohmann::json summaryHandler(const std::string& name, const std::string& onSuccess, const std::string& onFailure);

/// The SMTP sink (SmtpSinkProcess): stores each message as MAILDIR/<n>.eml and logs every
/// SMTP command to MAILDIR.log.
class SmtpSink {
 public:
  explicit SmtpSink(std::filesystem::path maildir, int port = 0, const std::vector<std::string>& flags = {})
      : maildir_(std::move(maildir)), process_(maildir_.string(), sinkFlags(port, flags)) {}

  int port() const { return process_.port(); }
  void stop() { process_.stop(); }
  std::vector<std::filesystem::path> messages() const { return emlFiles(maildir_); }
  /// The recipients of the messages the sink accepted, in order.
  std::vector<std::string> deliveredTo() const {
    std::vector<std::string> to;
    for (const auto& event : events("data")) {
      if (event.value("code", 0) == 250) {
        for (const auto& address : event["to"]) to.push_back(address);
      }
    }
    return to;
  }
  /// The logged SMTP events of one kind ("connect", "rcpt", "data", ...).
  std::vector<nlohmann::json> events(const std::string& kind) const {
    std::vector<nlohmann::json> found;
    std::ifstream in(logFile());
    std::string line;
    while (std::getline(in, line)) {
      auto event = nlohmann::json::parse(line, nullptr, false);
      if (event.is_object() && event.value("event", "") == kind) found.push_back(event);
    }
    return found;
  }

 private:
  std::filesystem::path logFile() const { return maildir_.string() + ".log"; }
  std::vector<std::string> sinkFlags(int port, const std::vector<std::string>& flags) const {
    std::vector<std::string> all = {"--log", logFile().string(), "--port", std::to_string(port)};
    all.insert(all.end(), flags.begin(), flags.end());
    return all;
  }

  std::filesystem::path maildir_;
  SmtpSinkProcess process_;
};

/// A loopback port that refuses connections: bound, never listening, so nothing else takes
/// it until release() hands it to the SMTP sink. "SMTP is down" without a race for the port.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~RefusingPort() { release(); }
  int port() const { return port_; }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class NotifyHost : public HostTest {
 public:
  static constexpr const char* kHook = "ctingress.on_complete";

 protected:
  std::map<std::string, std::string> environment() override {
    auto env = mailEnvironment();
    env["HOOKHOST_PLUGINS_TRUSTED"] = "comtrade_summary";
    return env;
  }
  virtual std::map<std::string, std::string> mailEnvironment() = 0;

  std::map<std::string, std::string> smtpAt(int port) {
    return {{"HOOKHOST_MAIL_SMTP_HOST", "127.0.0.1"},
            {"HOOKHOST_MAIL_SMTP_PORT", std::to_string(port)},
            {"HOOKHOST_MAIL_RETRY_MIN", "200ms"},
            {"HOOKHOST_MAIL_RETRY_MAX", "1s"}};
  }

  void registerHandler(const nlohmann::json& handler) {
    auto reply = host_->request("POST", "/v1/handlers", handler, userKey_);
    ASSERT_EQ(reply.status, 201) << reply.raw;
  }

  /// Fires the seed payload for handlers tagged `tag`; returns the job ids.
  std::vector<int> fire(const std::string& tag) {
    nlohmann::json event = {{"hook", kHook}, {"payload", seedPayload()}, {"tags", {tag}}};
    auto reply = host_->request("POST", "/v1/events", event, publisherKey_);
    EXPECT_EQ(reply.status, 202) << reply.raw;
    std::vector<int> ids;
    for (const auto& job : reply.body["jobs"]) ids.push_back(job["job_id"].get<int>());
    return ids;
  }

  nlohmann::json job(int id) { return host_->get("/v1/jobs/" + std::to_string(id), adminKey_).body; }

  /// The job's NOTIFY history entries' data.
  std::vector<nlohmann::json> notifyEntries(int id) {
    std::vector<nlohmann::json> entries;
    auto current = job(id);
    for (const auto& entry : current.value("history", nlohmann::json::array())) {
      if (entry["kind"] == "NOTIFY") entries.push_back(entry["data"]);
    }
    return entries;
  }

  bool notifiedAs(int id, const std::string& state) {
    for (const auto& data : notifyEntries(id)) {
      if (data["state"] == state) return true;
    }
    return false;
  }

  /// A counter of /metrics, -1 when absent. The notification counters are labelled by
  /// channel; they are read for `channel` (mail unless told), other counters have no label.
  long long metric(const std::string& name, const std::string& channel = "mail") {
    auto reply = host_->get("/metrics", "");
    std::smatch match;
    const std::string label = name.rfind("hookhost_notifications_", 0) == 0 ? "\\{channel=\"" + channel + "\"\\}" : "";
    std::regex line("(^|\n)" + name + label + " (\\d+)");
    return std::regex_search(reply.raw, match, line) ? std::stoll(match[2].str()) : -1;
  }
};

}  // namespace hookhost::testing
