// The in-memory queue length follows the rows: work rolled back to its savepoint, or a
// batch whose commit failed, takes its change of the count with it.
#include "storage/queued_counter.hpp"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <vector>

#include <Poco/Data/SQLite/Connector.h>

#include "host_process.hpp"
#include "storage/sql_rows.hpp"

namespace hookhost::testing {
namespace {

class QueuedCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", (dir_.path() / "counter.db").string());
    counter_.reset(5);
    writer_ = std::make_unique<storage::GroupCommitter>(std::move(session), 1024, &counter_);
    writer_->run([](storage::sql::Connection& connection) {
      storage::sql::execute(connection, "CREATE TABLE jobs (id INTEGER PRIMARY KEY)", [](auto&) {});
    });
  }

  // Work that queues `jobs` rows and then, when `fails`, throws.
  auto queueing(int jobs, bool fails) {
    return [this, jobs, fails](storage::sql::Connection& connection) {
      for (int i = 0; i < jobs; ++i) storage::sql::execute(connection, "INSERT INTO jobs DEFAULT VALUES", [](auto&) {});
      counter_.add(jobs);
      if (fails) throw std::runtime_error("the work failed after counting");
    };
  }

  std::int64_t rows() {
    return writer_->run([](storage::sql::Connection& connection) {
      auto result = storage::sql::query(connection, "SELECT count(*) AS n FROM jobs", [](auto&) {});
      result.moveFirst();
      return storage::sql::integer(result, "n");
    });
  }

  TempDir dir_;
  storage::QueuedCounter counter_;  // declared before the writer, which tells it of commits
  std::unique_ptr<storage::GroupCommitter> writer_;
};

TEST_F(QueuedCounterTest, CommittedWorkCounts) {
  writer_->run(queueing(2, false));
  EXPECT_EQ(counter_.committed(), 7);
  EXPECT_EQ(rows(), 2);
}

TEST_F(QueuedCounterTest, WorkRolledBackToItsSavepointDoesNotCount) {
  EXPECT_THROW(writer_->run(queueing(3, true)), std::runtime_error);
  EXPECT_EQ(counter_.committed(), 5);
  EXPECT_EQ(rows(), 0);
}

TEST_F(QueuedCounterTest, InOneBatchOnlyTheFailingWorkIsTakenBack) {
  // Posted together, they share batches; whichever way they are grouped, the failing
  // one's rows and count go, the others' stay.
  std::vector<std::future<bool>> done;
  for (int i = 0; i < 6; ++i) {
    auto promise = std::make_shared<std::promise<bool>>();
    done.push_back(promise->get_future());
    writer_->post(queueing(1, i == 2), [promise](std::exception_ptr failure) { promise->set_value(!failure); });
  }
  int committed = 0;
  for (auto& one : done) committed += one.get() ? 1 : 0;
  EXPECT_EQ(committed, 5);
  EXPECT_EQ(rows(), 5);
  EXPECT_EQ(counter_.committed(), 5 + 5);
}

TEST_F(QueuedCounterTest, ABatchWhoseCommitFailsTakesEverythingBack) {
  storage::QueuedCounter counter;
  counter.reset(1);
  counter.add(4);
  counter.workKept();
  EXPECT_EQ(counter.inTransaction(), 5);
  EXPECT_EQ(counter.committed(), 1);
  counter.add(2);
  counter.batchRolledBack();
  EXPECT_EQ(counter.committed(), 1);
  EXPECT_EQ(counter.inTransaction(), 1);
}

TEST_F(QueuedCounterTest, ARecountInTheTransactionIncludesItsOwnUncommittedWork) {
  storage::QueuedCounter counter;
  counter.reset(0);
  counter.add(3);
  counter.workKept();
  counter.add(1);
  counter.recountedInTransaction(10);  // the count query sees the 4 rows not yet committed
  EXPECT_EQ(counter.inTransaction(), 10);
  counter.workKept();
  counter.batchCommitted();
  EXPECT_EQ(counter.committed(), 10);
}

}  // namespace
}  // namespace hookhost::testing
