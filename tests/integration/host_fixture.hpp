#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace hookhost::testing {

/// The seed's ctingress.on_complete payload (shared/seeds/003_…): one archive, two data sets.
inline nlohmann::json seedPayload() {
  return {{"DataSets",
           {{{"Error", ""},
             {"Name", "/DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg"},
             {"Streams",
              {{{"EndNs", 1591844539983333333LL},
                {"ProcessedAtNs", 0},
                {"StartNs", 1591844350000000000LL},
                {"Uuid", "585cc764-3c80-5d3f-a7d7-59d48abbab0b"}}}},
             {"Success", true}},
            {{"Error", "cfg format error"},
             {"Name", "/__MACOSX/DFR 2/._200610.cfg"},
             {"Streams", nullptr},
             {"Success", false}}}},
          {"File", "comtrade_samples.zip"},
          {"RequestID", "0bbcacdb-e7aa-4e01-af88-9ba865ea32bd"},
          {"SubmittedAt", "2020-10-29T21:58:15.09246084Z"}};
}

/// Every job the host lists (without history), through the paginated GET /v1/jobs.
inline std::vector<nlohmann::json> allJobs(HostProcess& host, const std::string& adminKey) {
  std::vector<nlohmann::json> jobs;
  std::string path = "/v1/jobs?limit=1000";
  for (int page = 0; page < 100; ++page) {
    auto reply = host.get(path, adminKey);
    EXPECT_EQ(reply.status, 200) << reply.raw;
    if (reply.status != 200) break;
    for (const auto& job : reply.body["jobs"]) jobs.push_back(job);
    if (reply.body["next"].is_null()) break;
    path = "/v1/jobs?limit=1000&after=" + reply.body["next"].get<std::string>();
  }
  return jobs;
}

/// A running host with one key per role, for tests that talk to the REST API.
class HostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = std::make_unique<HostProcess>(dir_.path() / "data", environment());
    adminKey_ = host_->addUser("root", "admin");
    userKey_ = host_->addUser("alice", "user");
    otherKey_ = host_->addUser("bob", "user");
    publisherKey_ = host_->addUser("ingest", "publisher");
    ASSERT_FALSE(adminKey_.empty());
    ASSERT_TRUE(host_->start()) << host_->log();
  }

  void TearDown() override {
    if (host_ && host_->running()) {
      EXPECT_EQ(host_->stop(), 0) << host_->log();
    }
  }

  virtual std::map<std::string, std::string> environment() { return {}; }

  /// A registration body for a python handler. Its code passes the registration's load check
  /// (a pickle of the builtin `print`: callable) and fails when run (print takes no payload
  /// fields), so tests that need no real handler pay no pickling.
  static nlohmann::json pythonHandler(const std::string& name, const std::string& hook = "ctingress.on_complete") {
    return {{"name", name},
            {"hook", hook},
            {"notify_on_success", "success@example.com"},
            {"notify_on_failure", "failure@example.com"},
            {"tags", {"demo", "anomaly-detection"}},
            {"runtime", "python"},
            {"code", "Y2J1aWx0aW5zCnByaW50Ci4="}};
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> host_;
  std::string adminKey_, userKey_, otherKey_, publisherKey_;
};

}  // namespace hookhost::testing
