// Notification emails through the real host (issue 6): the binary, a real SMTP server on
// loopback (tests/fixtures/smtp_sink.py, python3-aiosmtpd), the bundled comtrade_summary
// plugin trusted in-process for success and a sandboxed Python handler that raises for
// failure. Mail is read back with Python's email package, a MIME parser that is not ours.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "host_fixture.hpp"
#include "smtp_sink_process.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with dill and aiosmtpd
constexpr const char* kHook = "ctingress.on_complete";
const fs::path kTestsDir = fs::path(__FILE__).parent_path().parent_path();

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs a shell command and returns its stdout; `ok` says whether it exited 0.
std::string capture(const std::string& command, bool* ok) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *ok = false;
    return out;
  }
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  *ok = ::pclose(pipe) == 0;
  return out;
}

// An .eml as a mail client reads it (tests/notify/parse_eml.py): headers, subject, body.
nlohmann::json parseEml(const fs::path& file) {
  bool ok = false;
  std::string text = capture(std::string(kPython) + " '" + (kTestsDir / "notify" / "parse_eml.py").string() +
                                 "' '" + file.string() + "'",
                             &ok);
  if (!ok) {
    ADD_FAILURE() << "parse_eml.py failed on " << file << ": " << text;
    return nullptr;
  }
  return nlohmann::json::parse(text);
}

// The value of one header in the raw message (ASCII headers only, as ours are).
std::string rawHeader(const std::string& message, const std::string& name) {
  std::regex pattern("(^|\r\n)" + name + ": ([^\r\n]*)", std::regex::icase);
  std::smatch match;
  return std::regex_search(message, match, pattern) ? match[2].str() : "";
}

std::vector<fs::path> emlFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name[0] != '.' && entry.path().extension() == ".eml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The SMTP sink (SmtpSinkProcess): stores each message as MAILDIR/<n>.eml and logs every
/// SMTP command to MAILDIR.log.
class SmtpSink {
 public:
  explicit SmtpSink(fs::path maildir, int port = 0, const std::vector<std::string>& flags = {})
      : maildir_(std::move(maildir)), process_(maildir_.string(), sinkFlags(port, flags)) {}

  int port() const { return process_.port(); }
  void stop() { process_.stop(); }
  std::vector<fs::path> messages() const { return emlFiles(maildir_); }
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
  fs::path logFile() const { return maildir_.string() + ".log"; }
  std::vector<std::string> sinkFlags(int port, const std::vector<std::string>& flags) const {
    std::vector<std::string> all = {"--log", logFile().string(), "--port", std::to_string(port)};
    all.insert(all.end(), flags.begin(), flags.end());
    return all;
  }

  fs::path maildir_;
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

// A handler that fails the way a notebook's would: a helper raises on the sample's bad data set.
std::string raisingHandlerPickle(const fs::path& dir) {
  fs::path script = dir / "make_handler.py";
  std::ofstream(script) << "import base64, dill\n"
                           "def check(datasets):\n"
                           "    bad = [d['Name'] for d in datasets if not d['Success']]\n"
                           "    if bad:\n"
                           "        raise ValueError('%d bad data set(s)' % len(bad))\n"
                           "def strict(ctx, DataSets, **kwargs):\n"
                           "    check(DataSets)\n"
                           "    return 'all good'\n"
                           "print(base64.b64encode(dill.dumps(strict, recurse=True)).decode())\n";
  bool ok = false;
  std::string code = capture(std::string(kPython) + " '" + script.string() + "'", &ok);
  EXPECT_TRUE(ok) << code;
  while (!code.empty() && code.back() == '\n') code.pop_back();
  return code;
}

nlohmann::json summaryHandler(const std::string& name, const std::string& onSuccess, const std::string& onFailure) {
  return {{"name", name},
          {"hook", kHook},
          {"runtime", "plugin"},
          {"plugin", "comtrade_summary/summary"},
          {"notify_on_success", onSuccess},
          {"notify_on_failure", onFailure},
          {"tags", {name}},
          {"max_attempts", 1}};
}

class NotifyHost : public HostTest {
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

  /// A counter of /metrics, -1 when absent.
  long long metric(const std::string& name) {
    auto reply = host_->get("/metrics", "");
    std::smatch match;
    std::regex line("(^|\n)" + name + " (\\d+)");
    return std::regex_search(reply.raw, match, line) ? std::stoll(match[2].str()) : -1;
  }
};

class SmtpNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(sink_.port()); }
  SmtpSink sink_{dir_.path() / "sink"};
};

TEST_F(SmtpNotify, SuccessAndFailureEmailsCarryResultTracebackAndHeaders) {
  ASSERT_NE(sink_.port(), 0);
  registerHandler(summaryHandler("quiet", "", ""));
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  nlohmann::json strict = {{"name", "strict"},         {"hook", kHook},
                           {"runtime", "python"},      {"code", raisingHandlerPickle(dir_.path())},
                           {"notify_on_success", "data-team@example.com"},
                           {"notify_on_failure", "data-oncall@example.com"},
                           {"tags", {"strict"}},       {"max_attempts", 1}};
  registerHandler(strict);

  // The addressless handler's job ends first: a notification for it would be due before the
  // others', so once theirs are sent, its absence is not a matter of waiting longer.
  auto quiet = fire("quiet");
  ASSERT_EQ(quiet.size(), 1u);
  ASSERT_TRUE(eventually([&] { return job(quiet[0])["state"] == "SUCCEEDED"; }, seconds(30)));
  auto succeeded = fire("archive-summary");
  auto failed = fire("strict");
  ASSERT_EQ(succeeded.size(), 1u);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(succeeded[0], "sent") && notifiedAs(failed[0], "sent"); },
                         seconds(60)))
      << job(failed[0]).dump() << host_->log();

  EXPECT_TRUE(notifyEntries(quiet[0]).empty());
  auto to = sink_.deliveredTo();
  std::multiset<std::string> recipients(to.begin(), to.end());
  EXPECT_EQ(recipients, (std::multiset<std::string>{"grid-ops@example.com", "data-oncall@example.com"}));
  auto files = sink_.messages();
  ASSERT_EQ(files.size(), 2u);

  std::map<std::string, nlohmann::json> byJob;
  for (const auto& file : files) {
    auto mail = parseEml(file);
    ASSERT_TRUE(mail.is_object());
    EXPECT_TRUE(mail["defects"].empty()) << mail.dump();
    byJob[mail["headers"]["X-Hookhost-Job"]] = mail;
  }
  auto success = byJob[std::to_string(succeeded[0])];
  auto successJob = job(succeeded[0]);
  ASSERT_EQ(successJob["state"], "SUCCEEDED");
  EXPECT_EQ(success["subject"], "[hookhost] archive-summary on ctingress.on_complete: succeeded (job " +
                                    std::to_string(succeeded[0]) + ")");
  EXPECT_EQ(success["headers"]["To"], "grid-ops@example.com");
  EXPECT_EQ(success["headers"]["From"], "hookhost@localhost");
  EXPECT_EQ(success["headers"]["X-Hookhost-Event"], std::to_string(successJob["event_id"].get<int>()));
  EXPECT_EQ(success["content_type"], "text/plain");
  std::string successText = success["body"];
  std::string result = successJob["result"];
  EXPECT_NE(result.find("COMTRADE archive comtrade_samples.zip"), std::string::npos) << result;
  EXPECT_NE(successText.find(result), std::string::npos) << successText;
  EXPECT_NE(successText.find("GET /v1/jobs/" + std::to_string(succeeded[0])), std::string::npos);

  auto failure = byJob[std::to_string(failed[0])];
  auto failureJob = job(failed[0]);
  ASSERT_EQ(failureJob["state"], "FAILED");
  EXPECT_EQ(failure["subject"],
            "[hookhost] strict on ctingress.on_complete: failed (job " + std::to_string(failed[0]) + ")");
  EXPECT_EQ(failure["headers"]["To"], "data-oncall@example.com");
  std::string failureText = failure["body"];
  for (const char* part : {"Traceback (most recent call last)", "in check", "ValueError: 1 bad data set(s)"}) {
    EXPECT_NE(failureText.find(part), std::string::npos) << part << " not in:\n" << failureText;
  }

  // Stable ids derived from the notification: one per message, each named by its NOTIFY entry.
  std::string successId = success["headers"]["Message-ID"], failureId = failure["headers"]["Message-ID"];
  EXPECT_NE(successId, failureId);
  for (auto [jobId, messageId] : {std::pair{succeeded[0], successId}, std::pair{failed[0], failureId}}) {
    auto entries = notifyEntries(jobId);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(messageId, "<hookhost.notification." + std::to_string(entries[0]["notification_id"].get<int>()) +
                             "@localhost>");
  }
  EXPECT_EQ(metric("hookhost_notifications_sent_total"), 2);
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 0);
}

class SmtpRejectsNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(sink_.port()); }
  SmtpSink sink_{dir_.path() / "sink", 0, {"--rcpt-code", "550"}};
};

TEST_F(SmtpRejectsNotify, A550IsRecordedAsPermanentWithoutRetries) {
  ASSERT_NE(sink_.port(), 0);
  registerHandler(summaryHandler("archive-summary", "nobody@example.com", "nobody@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "failed"); }, seconds(30))) << host_->log();
  auto entries = notifyEntries(fired[0]);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_NE(entries[0].value("error", "").find("550"), std::string::npos) << entries[0].dump();
  // A retry would come after retry_min (200 ms, at most 1 s with jitter and doubling):
  // absence is awaited for that long, no longer.
  EXPECT_FALSE(eventually([&] { return sink_.events("rcpt").size() > 1; }, std::chrono::milliseconds(1200)));
  EXPECT_EQ(sink_.events("rcpt").size(), 1u);
  EXPECT_TRUE(sink_.messages().empty());
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 1);
  EXPECT_EQ(metric("hookhost_notifications_retried_total"), 0);
}

class SmtpDownNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return smtpAt(down_.port()); }

  /// Ends the outage: the sink takes the port the host has been trying.
  std::unique_ptr<SmtpSink> bringSmtpUp() {
    down_.release();
    auto sink = std::make_unique<SmtpSink>(dir_.path() / "sink", down_.port());
    EXPECT_EQ(sink->port(), down_.port());
    return sink;
  }

  RefusingPort down_;
};

TEST_F(SmtpDownNotify, EveryEmailArrivesOnceWhenSmtpComesBack) {
  constexpr int kJobs = 100;
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  std::set<int> jobs;
  for (int i = 0; i < kJobs; ++i) {
    for (int id : fire("archive-summary")) jobs.insert(id);
  }
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(kJobs));
  // Every job ended and its email failed at least once while the server was down.
  for (int id : jobs) {
    ASSERT_TRUE(eventually([&] { return notifiedAs(id, "retry"); }, seconds(60))) << "job " << id << host_->log();
    ASSERT_EQ(job(id)["state"], "SUCCEEDED");
  }

  auto sink = bringSmtpUp();
  ASSERT_TRUE(eventually([&] { return metric("hookhost_notifications_sent_total") == kJobs; }, seconds(60)))
      << host_->log();
  std::map<std::string, int> perJob;
  std::set<std::string> messageIds;
  for (const auto& file : sink->messages()) {
    std::string message = slurp(file);
    ++perJob[rawHeader(message, "X-Hookhost-Job")];
    messageIds.insert(rawHeader(message, "Message-ID"));
  }
  EXPECT_EQ(perJob.size(), static_cast<std::size_t>(kJobs));
  for (int id : jobs) EXPECT_EQ(perJob[std::to_string(id)], 1) << "job " << id;
  EXPECT_EQ(messageIds.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(sink->deliveredTo().size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(metric("hookhost_notifications_failed_total"), 0);
}

class CrashBeforeEmail : public SmtpDownNotify {
 protected:
  // A fixed two seconds between attempts: the kill lands while the row waits, not mid-send
  // (a send cut by a crash would hold its row for the whole claim lease).
  std::map<std::string, std::string> mailEnvironment() override {
    auto env = smtpAt(down_.port());
    env["HOOKHOST_MAIL_RETRY_MIN"] = env["HOOKHOST_MAIL_RETRY_MAX"] = "2s";
    return env;
  }
};

TEST_F(CrashBeforeEmail, KillNineBetweenJobEndAndEmailStillSendsItOnce) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  int id = fired[0];
  ASSERT_TRUE(eventually([&] { return notifiedAs(id, "retry"); }, seconds(30))) << host_->log();
  host_->kill();

  auto sink = bringSmtpUp();
  ASSERT_TRUE(host_->start()) << host_->log();
  ASSERT_TRUE(eventually([&] { return notifiedAs(id, "sent"); }, seconds(30))) << host_->log();
  auto files = sink->messages();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(rawHeader(slurp(files[0]), "X-Hookhost-Job"), std::to_string(id));
  EXPECT_EQ(job(id)["state"], "SUCCEEDED");
}

class SpoolNotify : public NotifyHost {
 protected:
  std::map<std::string, std::string> mailEnvironment() override { return {}; }
};

TEST_F(SpoolNotify, WritesEmlFilesAMailClientReads) {
  registerHandler(summaryHandler("archive-summary", "grid-ops@example.com", "grid-oncall@example.com"));
  auto fired = fire("archive-summary");
  ASSERT_EQ(fired.size(), 1u);
  ASSERT_TRUE(eventually([&] { return notifiedAs(fired[0], "sent"); }, seconds(30))) << host_->log();
  auto files = emlFiles(host_->dataDir() / "mail");
  ASSERT_EQ(files.size(), 1u);
  auto mail = parseEml(files[0]);
  ASSERT_TRUE(mail.is_object());
  EXPECT_TRUE(mail["defects"].empty()) << mail.dump();
  EXPECT_TRUE(mail["crlf_only"]);
  EXPECT_LE(mail["max_line"].get<int>(), 998);
  EXPECT_EQ(mail["subject"], "[hookhost] archive-summary on ctingress.on_complete: succeeded (job " +
                                 std::to_string(fired[0]) + ")");
  EXPECT_EQ(mail["headers"]["To"], "grid-ops@example.com");
  EXPECT_EQ(mail["headers"]["X-Hookhost-Job"], std::to_string(fired[0]));
  EXPECT_EQ(mail["header_counts"]["message-id"], 1);
  EXPECT_EQ(mail["charset"], "utf-8");
  std::string body = mail["body"];
  std::string result = job(fired[0])["result"];
  EXPECT_FALSE(result.empty());
  EXPECT_NE(body.find(result), std::string::npos) << body;
  EXPECT_EQ(metric("hookhost_notifications_sent_total"), 1);
}

}  // namespace
}  // namespace hookhost::testing
