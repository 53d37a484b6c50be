#pragma once

// Several real hosts sharing one PostgreSQL database (issue 7). Each `hookhost serve` has its
// own data and plugins directories; all share the database of one PostgresDatabase on the
// `postgres` fixture's server. Handlers are plugins trusted to run in-process: the bundled
// comtrade_summary (fast) and tests/integration/fixtures/nap_plugin.cpp (slow: it sleeps,
// then names the process, so the host, that ran it); tests/plugins' fixture_ok for a plugin
// only some hosts have, with the catalog plus test.hook its handlers are for.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "host_fixture.hpp"
#include "host_process.hpp"
#include "plugin_files.hpp"
#include "postgres_database.hpp"

namespace hookhost::testing {

/// The history entries of `kind` of a job as GET /v1/jobs/{id} shows it, oldest first.
std::vector<nlohmann::json> historyOf(const nlohmann::json& job, const std::string& kind);
/// The host of each RUN entry of a job, oldest first.
std::vector<std::string> runHosts(const nlohmann::json& job);
/// The pid in a fixture_nap result ("napped N ms in pid P, attempt A"), or -1.
long napPid(const nlohmann::json& job);
/// The last lines of a host's log, for failure messages.
std::string logTail(const HostProcess& host, std::size_t lines = 40);

/// Fires ctingress.on_complete events from `threads` threads, each at the hosts in turn,
/// until `total` fires were tried, `within` passed, or stop(). Records every answer; a fire
/// that got no answer at all (connection refused or dropped) counts as status 0.
class ConcurrentFires {
 public:
  ConcurrentFires(std::vector<HostProcess*> hosts, std::string key, int total, int threads,
                  std::chrono::seconds within);
  ~ConcurrentFires() { stop(); }
  ConcurrentFires(const ConcurrentFires&) = delete;
  ConcurrentFires& operator=(const ConcurrentFires&) = delete;

  /// Ends the fires early and waits for the threads.
  void stop();
  /// Waits for the threads to end by themselves.
  void join();
  /// Event ids of the fires answered 202.
  std::vector<std::int64_t> accepted() const;
  std::size_t acceptedCount() const;
  /// How many fires got each status (0: no answer).
  std::map<int, int> statuses() const;
  /// What the fires answered other than 202 (body, or the exception's text), at most 20.
  std::vector<std::string> problems() const;

 private:
  void loop(int thread);

  std::vector<HostProcess*> hosts_;
  std::string key_;
  int total_;
  std::chrono::steady_clock::time_point until_;
  std::atomic<int> next_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::int64_t> accepted_;
  std::map<int, int> statuses_;
  std::vector<std::string> problems_;
  std::vector<std::thread> threads_;
};

/// Hosts on one fresh PostgreSQL database, keys for alice (user), ingest (publisher) and root
/// (admin), and leases short enough for rescues to happen within a test.
class MultiHostTest : public ::testing::Test {
 protected:
  static constexpr std::chrono::seconds kLease{3};
  static constexpr int kWorkers = 4;

  void SetUp() override;
  void TearDown() override;

  /// The plugins every host gets unless a test says otherwise.
  static std::vector<std::filesystem::path> defaultPlugins();
  /// Starts one more host on the database, with a plugins.dir holding copies of `plugins`;
  /// `environment` adds to or overrides the HOOKHOST_* settings. Null (and a test failure)
  /// when it does not start.
  HostProcess* startHost(const std::vector<std::filesystem::path>& plugins = defaultPlugins(),
                         std::map<std::string, std::string> environment = {});
  /// The host's id ("hostname:pid") as its /health reports it.
  std::string idOf(HostProcess& host);

  /// Registers a plugin handler for ctingress.on_complete as alice, through `host`.
  nlohmann::json registerPlugin(HostProcess& host, const std::string& name, const std::string& plugin,
                                nlohmann::json extra = nlohmann::json::object());
  /// A fixture_nap/nap handler that sleeps `ms` per job.
  nlohmann::json registerNap(HostProcess& host, const std::string& name, int ms, int maxAttempts);

  /// Fires one event through `host`.
  HttpReply fire(HostProcess& host);
  /// Every job in a terminal state (read through `host`).
  bool everyJobTerminal(HostProcess& host);
  /// GET /v1/jobs/{id} of each job (with history), read through `host` from a few threads.
  std::map<std::int64_t, nlohmann::json> jobDetails(HostProcess& host, const std::vector<std::int64_t>& ids);
  /// The first column of the first row of `sql` (an integer), on a connection of its own.
  long long queryNumber(const std::string& sql);

  PostgresDatabase database_;
  TempDir dir_;
  std::unique_ptr<HostProcess> cli_;  // never served: runs `hookhost user add` on the database
  std::vector<std::unique_ptr<HostProcess>> hosts_;
  std::string adminKey_, userKey_, publisherKey_;
};

}  // namespace hookhost::testing
