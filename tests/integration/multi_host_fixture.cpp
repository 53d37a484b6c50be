#include "multi_host_fixture.hpp"

#include <signal.h>

#include <Poco/Data/PostgreSQL/Connector.h>

#include <regex>
#include <tuple>

namespace hookhost::testing {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> historyOf(const json& job, const std::string& kind) {
  std::vector<json> entries;
  if (!job.contains("history")) return entries;
  for (const auto& entry : job["history"]) {
    if (entry["kind"] == kind) entries.push_back(entry);
  }
  return entries;
}

std::vector<std::string> runHosts(const json& job) {
  std::vector<std::string> hosts;
  for (const auto& run : historyOf(job, "RUN")) hosts.push_back(run["data"].value("host", ""));
  return hosts;
}

long napPid(const json& job) {
  static const std::regex pid(R"(in pid (\d+),)");
  if (!job["result"].is_string()) return -1;
  std::string result = job["result"];
  std::smatch match;
  return std::regex_search(result, match, pid) ? std::stol(match[1]) : -1;
}

std::string logTail(const HostProcess& host, std::size_t lines) {
  std::string log = host.log();
  std::size_t at = log.size();
  for (std::size_t seen = 0; at > 0 && seen <= lines; --at) {
    if (log[at - 1] == '\n') ++seen;
  }
  return "--- host log (last lines) ---\n" + log.substr(at);
}

ConcurrentFires::ConcurrentFires(std::vector<HostProcess*> hosts, std::string key, int total, int threads,
                                 std::chrono::seconds within)
    : hosts_(std::move(hosts)), key_(std::move(key)), total_(total), until_(std::chrono::steady_clock::now() + within) {
  for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { loop(t); });
}

void ConcurrentFires::stop() {
  stop_ = true;
  join();
}

void ConcurrentFires::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ConcurrentFires::loop(int thread) {
  const std::string body = json{{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}}.dump();
  for (int n = next_++; n < total_ && !stop_ && std::chrono::steady_clock::now() < until_; n = next_++) {
    HostProcess& host = *hosts_[static_cast<std::size_t>(n + thread) % hosts_.size()];
    HttpReply reply;
    std::string problem;
    try {
      reply = httpRequest(host.port(), "POST", "/v1/events", body, key_);
      if (reply.status != 202) problem = std::to_string(reply.status) + " " + reply.raw;
    } catch (const std::exception& error) {
      reply.status = 0;
      problem = std::string("no answer: ") + error.what();
    }
    std::lock_guard lock(mutex_);
    ++statuses_[reply.status];
    if (reply.status == 202) accepted_.push_back(reply.body["event_id"].get<std::int64_t>());
    if (!problem.empty() && problems_.size() < 20) problems_.push_back(problem);
  }
}

std::vector<std::int64_t> ConcurrentFires::accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

std::size_t ConcurrentFires::acceptedCount() const {
  std::lock_guard lock(mutex_);
  return accepted_.size();
}

std::map<int, int> ConcurrentFires::statuses() const {
  std::lock_guard lock(mutex_);
  return statuses_;
}

std::vector<std::string> ConcurrentFires::problems() const {
  std::lock_guard lock(mutex_);
  return problems_;
}

void MultiHostTest::SetUp() {
  for (const auto& built : {hookhostBinary(), bundled("comtrade_summary"), integrationFixture("fixture_nap"),
                            fixture("fixture_ok_v1")}) {
    ASSERT_TRUE(fs::exists(built)) << built << " is missing: build the integration_test target";
  }
  writeHooksDir(dir_.path() / "hooks");
  cli_ = std::make_unique<HostProcess>(dir_.path() / "cli", std::map<std::string, std::string>{
                                                                 {"HOOKHOST_DATA_URL", database_.url()}});
  for (auto [key, name, role] : {std::tuple{&adminKey_, "root", "admin"}, std::tuple{&userKey_, "alice", "user"},
                                  std::tuple{&publisherKey_, "ingest", "publisher"}}) {
    std::string out, err;
    int code = cli_->runCommand({"user", "add", name, "--email", std::string(name) + "@example.com", "--role", role},
                                &out, &err);
    ASSERT_EQ(code, 0) << "hookhost user add " << name << ": " << err;
    *key = out.substr(0, out.find_last_not_of("\r\n") + 1);
    ASSERT_FALSE(key->empty()) << "hookhost user add " << name << " printed no key";
  }
}

void MultiHostTest::TearDown() {
  for (auto& host : hosts_) {
    if (!host->running()) continue;
    ::kill(host->pid(), SIGCONT);  // a test that failed while a host was stopped
    EXPECT_EQ(host->stop(), 0) << logTail(*host);
  }
}

std::vector<fs::path> MultiHostTest::defaultPlugins() {
  return {bundled("comtrade_summary"), integrationFixture("fixture_nap")};
}

HostProcess* MultiHostTest::startHost(const std::vector<fs::path>& plugins,
                                      std::map<std::string, std::string> environment) {
  std::string name = "host" + std::to_string(hosts_.size());
  fs::path pluginsDir = dir_.path() / (name + "-plugins");
  fs::create_directories(pluginsDir);
  for (const auto& plugin : plugins) installFile(plugin, pluginsDir / plugin.filename());
  std::map<std::string, std::string> settings = {
      {"HOOKHOST_DATA_URL", database_.url()},
      {"HOOKHOST_PLUGINS_DIR", pluginsDir.string()},
      {"HOOKHOST_HOOKS_DIR", (dir_.path() / "hooks").string()},
      {"HOOKHOST_PLUGINS_TRUSTED", "comtrade_summary,fixture_nap,fixture_ok"},
      {"HOOKHOST_DISPATCH_LEASE", std::to_string(kLease.count()) + "s"},
      {"HOOKHOST_DISPATCH_WORKERS", std::to_string(kWorkers)},
  };
  for (auto& [key, value] : environment) settings[key] = value;
  hosts_.push_back(std::make_unique<HostProcess>(dir_.path() / name, settings));
  HostProcess& host = *hosts_.back();
  if (host.start()) return &host;
  ADD_FAILURE() << name << " did not start\n" << logTail(host);
  return nullptr;
}

std::string MultiHostTest::idOf(HostProcess& host) {
  auto health = host.get("/health", adminKey_);
  EXPECT_EQ(health.status, 200) << health.raw;
  return health.body.value("host", "");
}

json MultiHostTest::registerPlugin(HostProcess& host, const std::string& name, const std::string& plugin,
                                   json extra) {
  json body = {{"name", name},       {"hook", "ctingress.on_complete"}, {"runtime", "plugin"},
               {"plugin", plugin},   {"notify_on_success", ""},          {"notify_on_failure", ""}};
  body.update(extra);
  auto reply = host.request("POST", "/v1/handlers", body, userKey_);
  EXPECT_EQ(reply.status, 201) << reply.raw;
  return reply.body;
}

json MultiHostTest::registerNap(HostProcess& host, const std::string& name, int ms, int maxAttempts) {
  return registerPlugin(host, name, "fixture_nap/nap", {{"config", {{"ms", ms}}}, {"max_attempts", maxAttempts}});
}

HttpReply MultiHostTest::fire(HostProcess& host) {
  return host.request("POST", "/v1/events", json{{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}},
                      publisherKey_);
}

bool MultiHostTest::everyJobTerminal(HostProcess& host) {
  // The state filters are cheap but separate reads, and a job can move between two of them
  // (a rescue puts a RUNNING job back to QUEUED, where another host claims it): they only
  // tell when to look at every job. Terminal states are final, so a job seen terminal once
  // stays so, whichever page saw it.
  for (const char* state : {"QUEUED", "RUNNING", "WAITING"}) {
    auto reply = host.get(std::string("/v1/jobs?limit=1&state=") + state, adminKey_);
    if (reply.status != 200 || !reply.body["jobs"].empty()) return false;
  }
  const std::set<std::string> terminal = {"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"};
  for (const auto& job : allJobs(host, adminKey_)) {
    if (!terminal.count(job["state"].get<std::string>())) return false;
  }
  return true;
}

std::map<std::int64_t, json> MultiHostTest::jobDetails(HostProcess& host, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, json> details;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (std::size_t i = next++; i < ids.size(); i = next++) {
        auto reply = host.get("/v1/jobs/" + std::to_string(ids[i]), adminKey_);
        std::lock_guard lock(mutex);
        details[ids[i]] = reply.status == 200 ? reply.body : json{{"status", reply.status}, {"raw", reply.raw}};
      }
    });
  }
  for (auto& reader : readers) reader.join();
  return details;
}

long long MultiHostTest::queryNumber(const std::string& sql) {
  Poco::Data::Session session(Poco::Data::PostgreSQL::Connector::KEY, database_.connectionString());
  Poco::Int64 value = 0;
  session << sql, Poco::Data::Keywords::into(value), Poco::Data::Keywords::now;
  return value;
}

}  // namespace hookhost::testing
