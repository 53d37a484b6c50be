// PostgreSQL dropping the connections of hosts that share it (issue 7): every connection cut
// at once, twice, under load; and the one connection that is recording a job's end.
#include "multi_host_fixture.hpp"

namespace hookhost::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using PostgresConnections = MultiHostTest;

TEST_F(PostgresConnections, HostsRecoverWhenPostgresTerminatesEveryConnectionMidRun) {
  HostProcess* a = startHost();
  ASSERT_NE(a, nullptr);
  HostProcess* b = startHost();
  ASSERT_NE(b, nullptr);
  const std::string idA = idOf(*a), idB = idOf(*b);
  registerNap(*a, "nap", 100, 3);

  ConcurrentFires fires({a, b}, publisherKey_, 3000, 4, 90s);
  auto acceptedGrowsBy = [&](std::size_t more) {
    std::size_t target = fires.acceptedCount() + more;
    return eventually([&] { return fires.acceptedCount() >= target; }, 30s);
  };
  ASSERT_TRUE(acceptedGrowsBy(40)) << json(fires.statuses()).dump();
  for (int cut = 0; cut < 2; ++cut) {
    // Each host holds a writer and pooled readers while jobs run and fires arrive.
    EXPECT_GE(database_.terminateConnections(), 4) << "cut " << cut;
    ASSERT_TRUE(acceptedGrowsBy(40)) << "no fire accepted after cut " << cut << ": "
                                     << json(fires.statuses()).dump() << logTail(*a) << logTail(*b);
  }
  fires.stop();

  // 503 when a fire could not commit, else 202: never a 500, never a dropped connection.
  for (const auto& [status, count] : fires.statuses()) {
    EXPECT_TRUE(status == 202 || status == 503) << count << " fires answered " << status << ": "
                                                << json(fires.problems()).dump(1);
  }
  for (const auto& problem : fires.problems()) {
    if (problem.rfind("503 ", 0) == 0) {
      EXPECT_NE(problem.find("\"code\":\"store_unavailable\""), std::string::npos) << problem;
    }
  }

  // The same two processes serve again, and see each other.
  for (HostProcess* host : {a, b}) {
    EXPECT_TRUE(eventually([&] {
      auto health = host->get("/health", adminKey_);
      return health.status == 200 && health.body["hosts"].size() == 2;
    }, 10s)) << logTail(*host);
  }
  EXPECT_EQ(idOf(*a), idA);
  EXPECT_EQ(idOf(*b), idB);

  ASSERT_TRUE(eventually([&] { return everyJobTerminal(*a); }, 60s)) << logTail(*a) << logTail(*b);
  std::map<std::int64_t, json> jobOfEvent;
  for (const auto& job : allJobs(*b, adminKey_)) jobOfEvent[job["event_id"]] = job;
  int unsuccessful = 0;
  for (std::int64_t event : fires.accepted()) {
    const json& job = jobOfEvent[event];
    if (job.is_object() && job["state"] == "SUCCEEDED") continue;
    if (unsuccessful++ == 0) ADD_FAILURE() << "event " << event << " did not succeed: " << job.dump();
  }
  EXPECT_EQ(unsuccessful, 0) << "of " << fires.acceptedCount() << " accepted events";
}

// The database drops the connection inside the transaction that records a job's success
// (a trigger makes the first FINISH terminate its own backend): the handler did succeed, and
// the host is alive, so the job must still end SUCCEEDED, once, whether the host records it
// again or runs it again; with max_attempts at its default of 1.
TEST_F(PostgresConnections, ASuccessWhoseRecordingLostTheConnectionIsNotLost) {
  HostProcess* a = startHost();
  ASSERT_NE(a, nullptr);
  const std::string idA = idOf(*a);
  registerNap(*a, "nap", 50, 1);
  database_.execute("CREATE SEQUENCE hh_test_cuts");
  database_.execute(
      "CREATE FUNCTION hh_test_cut_first_finish() RETURNS trigger LANGUAGE plpgsql AS '"
      "BEGIN IF NEW.kind = ''FINISH'' AND nextval(''hh_test_cuts'') = 1 THEN "
      "PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END'");
  database_.execute(
      "CREATE TRIGGER hh_test_cut AFTER INSERT ON job_history FOR EACH ROW EXECUTE FUNCTION hh_test_cut_first_finish()");

  auto fired = fire(*a);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  const std::string path = "/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>());
  json job;
  // Lost, the lease runs out within a lease and the reaper looks every second.
  ASSERT_TRUE(eventually([&] {
    job = a->get(path, adminKey_).body;
    return job["state"] != "QUEUED" && job["state"] != "RUNNING";
  }, 2 * kLease + 10s)) << job.dump() << logTail(*a);
  EXPECT_GE(queryNumber("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM hh_test_cuts"), 1) << "the trigger never cut a connection";

  EXPECT_EQ(job["state"], "SUCCEEDED") << job.dump() << logTail(*a);
  EXPECT_EQ(historyOf(job, "FINISH").size(), 1u) << job.dump();
  EXPECT_EQ(napPid(job), a->pid()) << job.dump();
  EXPECT_EQ(a->get("/health", adminKey_).status, 200);
  EXPECT_EQ(idOf(*a), idA);
}

}  // namespace
}  // namespace hookhost::testing
