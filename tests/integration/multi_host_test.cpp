// Several hosts sharing one PostgreSQL queue when nothing fails (issue 7): every job runs
// exactly once however the fires are spread, /health lists the live hosts, and a job for a
// plugin only one host has runs only there. The faults are in postgres_recovery_test.cpp.
#include <unistd.h>

#include "multi_host_fixture.hpp"

namespace hookhost::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using MultiHost = MultiHostTest;

std::vector<std::int64_t> jobIds(const std::vector<json>& jobs) {
  std::vector<std::int64_t> ids;
  for (const auto& job : jobs) ids.push_back(job["job_id"].get<std::int64_t>());
  return ids;
}

TEST_F(MultiHost, TwoThousandEventsFiredAtTwoHostsRunEveryJobExactlyOnce) {
  HostProcess* a = startHost();
  ASSERT_NE(a, nullptr);
  HostProcess* b = startHost();
  ASSERT_NE(b, nullptr);
  const std::string idA = idOf(*a), idB = idOf(*b);
  registerPlugin(*a, "summary", "comtrade_summary/summary");

  const int events = 2000;
  ConcurrentFires fires({a, b}, publisherKey_, events, 8, 90s);
  fires.join();
  auto accepted = fires.accepted();
  ASSERT_EQ(accepted.size(), static_cast<std::size_t>(events))
      << "statuses: " << json(fires.statuses()).dump() << "; first problem: "
      << (fires.problems().empty() ? "" : fires.problems().front()) << logTail(*a) << logTail(*b);
  ASSERT_TRUE(eventually([&] { return everyJobTerminal(*a); }, 90s)) << logTail(*a) << logTail(*b);

  auto jobs = allJobs(*b, adminKey_);
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(events));
  std::set<std::int64_t> firedEvents(accepted.begin(), accepted.end()), jobEvents;
  for (const auto& job : jobs) {
    jobEvents.insert(job["event_id"].get<std::int64_t>());
    EXPECT_EQ(job["state"], "SUCCEEDED") << job.dump();
    EXPECT_EQ(job["attempt"], 1) << job.dump();
  }
  EXPECT_EQ(jobEvents, firedEvents) << "one job per accepted event, and no other";

  // The history says who ran each job: exactly one RUN, by one of the two hosts.
  std::map<std::string, int> ranOn;
  for (const auto& [id, job] : jobDetails(*a, jobIds(jobs))) {
    auto runs = runHosts(job);
    ASSERT_EQ(runs.size(), 1u) << job.dump();
    ++ranOn[runs[0]];
    EXPECT_EQ(historyOf(job, "RUN")[0]["data"]["attempt"], 1) << job.dump();
    EXPECT_EQ(historyOf(job, "FINISH").size(), 1u) << job.dump();
    EXPECT_TRUE(historyOf(job, "RETRY").empty()) << job.dump();
    EXPECT_TRUE(historyOf(job, "UPDATE").empty()) << job.dump();
  }
  EXPECT_EQ(ranOn.size(), 2u) << json(ranOn).dump();
  EXPECT_GT(ranOn[idA], 0) << json(ranOn).dump();
  EXPECT_GT(ranOn[idB], 0) << json(ranOn).dump();
}

// The host list of a /health answer, by id; the list is shown to key holders only.
std::map<std::string, json> listedHosts(HostProcess& host, const std::string& key) {
  std::map<std::string, json> listed;
  auto health = host.get("/health", key);
  EXPECT_EQ(health.status, 200) << health.raw;
  for (const auto& entry : health.body["hosts"]) listed[entry["id"]] = entry;
  return listed;
}

TEST_F(MultiHost, HealthOnEitherHostListsBothUntilOneStops) {
  HostProcess* a = startHost({bundled("comtrade_summary")});
  ASSERT_NE(a, nullptr);
  HostProcess* b = startHost({});
  ASSERT_NE(b, nullptr);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  const std::string idA = std::string(hostname) + ":" + std::to_string(a->pid());
  const std::string idB = std::string(hostname) + ":" + std::to_string(b->pid());

  for (HostProcess* host : {a, b}) {
    auto health = host->get("/health", adminKey_);
    ASSERT_EQ(health.status, 200) << health.raw;
    EXPECT_EQ(health.body["status"], "ok");
    EXPECT_EQ(health.body["host"], host == a ? idA : idB);
    auto listed = listedHosts(*host, adminKey_);
    ASSERT_EQ(listed.size(), 2u) << health.raw;
    ASSERT_TRUE(listed.count(idA) && listed.count(idB)) << health.raw;
    EXPECT_EQ(listed[idA]["address"], "http://127.0.0.1:" + std::to_string(a->port()));
    EXPECT_EQ(listed[idB]["address"], "http://127.0.0.1:" + std::to_string(b->port()));
    EXPECT_EQ(listed[idA]["plugins"], json::array({"comtrade_summary"}));
    EXPECT_EQ(listed[idB]["plugins"], json::array());
    for (const auto& [id, entry] : listed) {
      EXPECT_TRUE(entry["started_at"].is_string() && entry["heartbeat_at"].is_string()) << entry.dump();
      EXPECT_LE(entry["started_at"].get<std::string>(), entry["heartbeat_at"].get<std::string>()) << entry.dump();
    }
  }

  // The heartbeat goes on: a later beat of A shows on B.
  const std::string firstBeat = listedHosts(*b, adminKey_)[idA]["heartbeat_at"];
  EXPECT_TRUE(eventually([&] { return listedHosts(*b, adminKey_)[idA]["heartbeat_at"] != firstBeat; }, 5s));

  // A host that stops leaves the list as it goes, not when its heartbeat ages out.
  EXPECT_EQ(b->stop(), 0) << logTail(*b);
  auto listed = listedHosts(*a, adminKey_);
  EXPECT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed.count(idA), 1u);
  EXPECT_EQ(listed.count(idB), 0u);
}

TEST_F(MultiHost, JobsOfAPluginOnlyOneHostHasRunOnlyOnThatHost) {
  HostProcess* a = startHost({bundled("comtrade_summary"), fixture("fixture_ok_v1")});
  ASSERT_NE(a, nullptr);
  HostProcess* b = startHost({bundled("comtrade_summary")});
  ASSERT_NE(b, nullptr);
  const std::string idA = idOf(*a), idB = idOf(*b);
  auto listed = listedHosts(*b, adminKey_);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[idA]["plugins"], json::array({"comtrade_summary", "fixture_ok"}));
  EXPECT_EQ(listed[idB]["plugins"], json::array({"comtrade_summary"}));
  registerPlugin(*a, "summary", "comtrade_summary/summary");
  registerPlugin(*a, "echo", "fixture_ok/echo");

  const int events = 300;
  ConcurrentFires fires({a, b}, publisherKey_, events, 4, 60s);
  fires.join();
  ASSERT_EQ(fires.acceptedCount(), static_cast<std::size_t>(events)) << json(fires.statuses()).dump();
  ASSERT_TRUE(eventually([&] { return everyJobTerminal(*b); }, 60s)) << logTail(*a) << logTail(*b);

  auto jobs = allJobs(*a, adminKey_);
  ASSERT_EQ(jobs.size(), 2u * events);
  std::map<std::string, std::map<std::string, int>> ranOn;  // handler -> host -> jobs
  for (const auto& [id, job] : jobDetails(*b, jobIds(jobs))) {
    EXPECT_EQ(job["state"], "SUCCEEDED") << job.dump();
    auto runs = runHosts(job);
    ASSERT_EQ(runs.size(), 1u) << job.dump();
    ++ranOn[job["handler"]][runs[0]];
  }
  EXPECT_EQ(ranOn["echo"], (std::map<std::string, int>{{idA, events}})) << json(ranOn).dump();
  EXPECT_EQ(ranOn["summary"][idA] + ranOn["summary"][idB], events) << json(ranOn).dump();
  EXPECT_GT(ranOn["summary"][idA], 0) << json(ranOn).dump();
  EXPECT_GT(ranOn["summary"][idB], 0) << json(ranOn).dump();
}

}  // namespace
}  // namespace hookhost::testing
