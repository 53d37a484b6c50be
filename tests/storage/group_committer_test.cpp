// The group committer's savepoints on a real SQLite file (issue 13): work that shares a
// commit with others and throws is rolled back alone, its caller gets its exception, and the
// others commit.
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>

#include <Poco/Data/SQLite/Connector.h>

#include "host_process.hpp"
#include "storage/group_committer.hpp"
#include "storage/sql_rows.hpp"
#include "storage/storage_full.hpp"

namespace hookhost::storage {
namespace {

class GroupCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session setup("SQLite", path());
    setup << "CREATE TABLE items (id INTEGER PRIMARY KEY)", Poco::Data::Keywords::now;
    committer_ = std::make_unique<GroupCommitter>(Poco::Data::Session("SQLite", path()));
  }

  std::string path() const { return (dir_.path() / "items.db").string(); }

  static std::function<void(sql::Connection&)> insert(int id) {
    return [id](sql::Connection& session) {
      session.execute("INSERT INTO items (id) VALUES (" + std::to_string(id) + ")", {});
    };
  }

  std::vector<std::int64_t> ids() {
    Poco::Data::Session reader("SQLite", path());
    sql::Connection connection(reader);
    auto rows = connection.query("SELECT id FROM items ORDER BY id", {});
    std::vector<std::int64_t> found;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) found.push_back(sql::integer(rows, "id"));
    return found;
  }

  testing::TempDir dir_;
  std::unique_ptr<GroupCommitter> committer_;
};

TEST_F(GroupCommitterTest, AFailingTaskRollsBackAloneAndTheOthersOfItsBatchCommit) {
  // The first task holds the writer until the three others are queued, so they share a batch.
  std::promise<void> queued;
  auto released = queued.get_future().share();
  std::promise<void> blockerDone;
  committer_->post([released](sql::Connection&) { released.wait(); },
                   [&](std::exception_ptr) { blockerDone.set_value(); });

  std::promise<std::exception_ptr> outcomes[3];
  committer_->post(insert(1), [&](std::exception_ptr failure) { outcomes[0].set_value(failure); });
  committer_->post(
      [](sql::Connection& session) {
        insert(2)(session);  // written, then rolled back with its savepoint
        throw std::runtime_error("task 2 fails");
      },
      [&](std::exception_ptr failure) { outcomes[1].set_value(failure); });
  committer_->post(insert(3), [&](std::exception_ptr failure) { outcomes[2].set_value(failure); });
  queued.set_value();
  blockerDone.get_future().get();

  EXPECT_EQ(outcomes[0].get_future().get(), nullptr);
  auto failure = outcomes[1].get_future().get();
  ASSERT_NE(failure, nullptr);
  try {
    std::rethrow_exception(failure);
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "task 2 fails");
  }
  EXPECT_EQ(outcomes[2].get_future().get(), nullptr);
  EXPECT_EQ(ids(), (std::vector<std::int64_t>{1, 3}));
}

TEST_F(GroupCommitterTest, RunRethrowsWhatTheWorkThrowsAndKeepsNothingOfIt) {
  EXPECT_THROW(committer_->run([](sql::Connection& session) {
                 insert(7)(session);
                 throw std::invalid_argument("no");
               }),
               std::invalid_argument);
  committer_->run(insert(8));
  EXPECT_EQ(ids(), std::vector<std::int64_t>{8});
}

TEST_F(GroupCommitterTest, ADiskFullMessageIsRecognisedAsStorageFull) {
  EXPECT_TRUE(isDiskFullMessage("database or disk is full (in: COMMIT)"));
  EXPECT_TRUE(isDiskFullMessage("ERROR:  could not extend file \"base/1/2\": No space left on device"));
  EXPECT_FALSE(isDiskFullMessage("UNIQUE constraint failed: items.id"));
  auto full = asStorageFull(std::make_exception_ptr(std::runtime_error("database or disk is full")));
  EXPECT_THROW(std::rethrow_exception(full), StorageFull);
  auto other = std::make_exception_ptr(std::runtime_error("constraint"));
  EXPECT_EQ(asStorageFull(other), other);
}

}  // namespace
}  // namespace hookhost::storage
