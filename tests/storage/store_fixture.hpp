#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "host_process.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::testing {

/// A real SQLite store in a temporary directory with a user and helpers to register
/// handlers and fire events.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::SqlStore::openSqlite(dir_.path() / "hookhost.db");
    alice_ = *store_->createUser("alice", "alice@example.com", storage::Role::User, "aliceid", "hash");
  }

  storage::Handler addHandler(const std::string& name, std::vector<std::string> tags = {}, int maxAttempts = 1,
                              int maxConcurrency = 0, const std::string& hook = "staging.new_assembly") {
    storage::HandlerSpec spec;
    spec.name = name;
    spec.hook = hook;
    spec.runtime = "python";
    spec.code = "AAAA";
    spec.tags = std::move(tags);
    spec.maxAttempts = maxAttempts;
    spec.maxConcurrency = maxConcurrency;
    spec.timeoutS = 5;
    spec.notifyOnSuccess = "ok@example.com";
    spec.notifyOnFailure = "fail@example.com";
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
  std::unique_ptr<storage::SqlStore> store_;
  storage::User alice_;
};

}  // namespace hookhost::testing
