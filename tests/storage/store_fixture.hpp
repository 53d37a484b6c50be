#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "host_process.hpp"
#include "postgres_database.hpp"
#include "jobs/job_lifecycle.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::testing {

enum class Backend { Sqlite, Postgres };

/// Runs a suite derived from StoreTest on both databases:
///   INSTANTIATE_TEST_SUITE_P(Backends, MySuite, storeBackends(), backendName);
inline auto storeBackends() { return ::testing::Values(Backend::Sqlite, Backend::Postgres); }
inline const char* backendText(Backend backend) { return backend == Backend::Sqlite ? "sqlite" : "postgres"; }
inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) { return backendText(info.param); }
// GoogleTest prints a test's parameter in its listed name (and so in ctest's): a word, not
// the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* out) { *out << backendText(backend); }

/// A real store, a SQLite file in a temporary directory or a fresh PostgreSQL database on
/// the test server, with the job lifecycle over it, a user and helpers to register handlers and fire events.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Sqlite) {
      store_ = storage::SqlStore::openSqlite(dir_.path() / "hookhost.db");
    } else {
      postgres_.emplace();
      store_ = storage::SqlStore::openPostgres(postgres_->url());
    }
    lifecycle_ = std::make_unique<jobs::JobLifecycle>(*store_, *store_, watch_, jobs::LifecycleOptions{});
    alice_ = *store_->createUser("alice", "alice@example.com", storage::Role::User, "aliceid", "hash");
  }

  /// The Python handler addHandler registers, for a test to change before registering it.
  static storage::HandlerSpec handlerSpec(const std::string& name, const std::string& hook = "staging.new_assembly") {
    storage::HandlerSpec spec;
    spec.name = name;
    spec.hook = hook;
    spec.runtime = Runtime::Python;
    spec.code = "AAAA";
    spec.maxAttempts = 1;
    spec.timeoutS = 5;
    spec.notifyOnSuccess = "ok@example.com";
    spec.notifyOnFailure = "fail@example.com";
    return spec;
  }

  storage::Handler addHandler(const std::string& name, std::vector<std::string> tags = {}, int maxAttempts = 1,
                              int maxConcurrency = 0, const std::string& hook = "staging.new_assembly") {
    storage::HandlerSpec spec = handlerSpec(name, hook);
    spec.tags = std::move(tags);
    spec.maxAttempts = maxAttempts;
    spec.maxConcurrency = maxConcurrency;
    return store_->registerHandler(spec, alice_)->handler;
  }

  storage::FireResult fire(std::vector<std::string> tags = {}, std::optional<std::string> key = std::nullopt,
                           const std::string& hook = "staging.new_assembly") {
    storage::NewEvent event;
    event.hook = hook;
    event.payload = {{"genome", "homo_sapiens"}, {"database", "core"}};
    event.tags = std::move(tags);
    event.key = std::move(key);
    event.createdBy = "ingest";
    auto fired = store_->fire(event, 1'000'000);
    EXPECT_TRUE(fired);
    return *fired;
  }

  std::vector<std::string> historyKinds(std::int64_t jobId) {
    std::vector<std::string> kinds;
    auto job = store_->getJob(jobId);
    for (const auto& entry : job->history) kinds.push_back(entry.kind);
    return kinds;
  }

  storage::JobState stateOf(std::int64_t jobId) { return store_->getJob(jobId)->state; }

  TempDir dir_;
  std::optional<PostgresDatabase> postgres_;  // declared before the store, which closes first
  std::unique_ptr<storage::SqlStore> store_;
  jobs::JobWatch watch_;
  // Every change of a job's state goes through it, as in the host.
  std::unique_ptr<jobs::JobLifecycle> lifecycle_;
  storage::User alice_;
};

}  // namespace hookhost::testing
