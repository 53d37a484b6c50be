// Array fires and reads by id at the store, on SQLite and PostgreSQL (issue 22): one
// transaction, all or nothing, keys inside the batch, the queue bound over the batch, and
// who may read which job.
#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using SqlStoreBatchTest = StoreTest;
INSTANTIATE_TEST_SUITE_P(Backends, SqlStoreBatchTest, storeBackends(), backendName);

storage::NewEvent assembly(std::optional<std::string> key = std::nullopt, const std::string& by = "ingest") {
  storage::NewEvent event;
  event.hook = "staging.new_assembly";
  event.payload = {{"genome", "g"}, {"database", "d"}};
  event.key = std::move(key);
  event.createdBy = by;
  return event;
}

TEST_P(SqlStoreBatchTest, ABatchRecordsEveryEventAndAKeyRepeatedInsideItOnce) {
  addHandler("a");
  auto fired = store_->fireMany({assembly("k"), assembly(), assembly("k"), assembly()}, 100, {});
  ASSERT_TRUE(fired);
  ASSERT_EQ(fired->events.size(), 4u);
  EXPECT_EQ(fired->events[2].eventId, fired->events[0].eventId);
  EXPECT_TRUE(fired->events[2].duplicate);
  EXPECT_EQ(fired->events[2].jobs[0].jobId, fired->events[0].jobs[0].jobId);
  EXPECT_FALSE(fired->events[1].duplicate);
  EXPECT_EQ(store_->countQueued(), 3);
}

TEST_P(SqlStoreBatchTest, PastTheQueueBoundTheWholeBatchIsUndone) {
  addHandler("a");
  ASSERT_TRUE(store_->fire(assembly(), 5));
  auto refused = store_->fireMany({assembly("x"), assembly(), assembly(), assembly(), assembly()}, 5, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::QueueFull);
  EXPECT_EQ(store_->countQueued(), 1) << "the in-memory count follows the rolled-back rows";
  EXPECT_FALSE(store_->getEvent(2));
  // The key of the undone batch is free again, and four more fit exactly.
  auto fits = store_->fireMany({assembly("x"), assembly(), assembly(), assembly()}, 5, {});
  ASSERT_TRUE(fits);
  EXPECT_FALSE(fits->events[0].duplicate);
  EXPECT_EQ(store_->countQueued(), 5);
}

TEST_P(SqlStoreBatchTest, JobsByIdsLeavesOutWhatTheReaderMayNotRead) {
  addHandler("alices");
  auto bob = *store_->createUser("bob", "bob@example.com", storage::Role::User, "bobid", "hash");
  storage::HandlerSpec spec;
  spec.name = "bobs";
  spec.hook = "staging.new_assembly";
  spec.runtime = Runtime::Python;
  spec.code = "AAAA";
  spec.timeoutS = 5;
  ASSERT_TRUE(store_->registerHandler(spec, bob));
  auto fired = store_->fireMany({assembly(std::nullopt, "ingest"), assembly(std::nullopt, "carol")}, 100, {});
  ASSERT_TRUE(fired);
  std::vector<std::int64_t> all;
  for (const auto& event : fired->events) {
    for (const auto& job : event.jobs) all.push_back(job.jobId);
  }
  ASSERT_EQ(all.size(), 4u);
  all.push_back(424242);

  auto ids = [](const std::vector<storage::Job>& jobs) {
    std::vector<std::int64_t> out;
    for (const auto& job : jobs) out.push_back(job.id);
    return out;
  };
  auto everything = store_->jobsByIds(all, {true, 0, ""});
  EXPECT_EQ(everything.size(), 4u);
  for (const auto& job : store_->jobsByIds(all, {false, alice_.id, alice_.name})) EXPECT_EQ(job.handlerName, "alices");
  EXPECT_EQ(store_->jobsByIds(all, {false, alice_.id, alice_.name}).size(), 2u);
  // carol owns no handler but fired the second event: its two jobs.
  auto carols = store_->jobsByIds(all, {false, 999, "carol"});
  ASSERT_EQ(carols.size(), 2u);
  EXPECT_EQ(carols[0].eventId, fired->events[1].eventId);
  EXPECT_TRUE(store_->jobsByIds(all, {false, 999, "nobody"}).empty());
  // More ids than one statement takes, repeated ones once.
  std::vector<std::int64_t> many(1200, all[0]);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<std::int64_t>(i) + 1;
  EXPECT_EQ(ids(store_->jobsByIds(many, {true, 0, ""})), ids(everything));
}

}  // namespace
}  // namespace hookhost::testing
