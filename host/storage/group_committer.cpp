#include "storage/group_committer.hpp"

#include <memory>
#include <string_view>
#include <vector>

#include <Poco/Exception.h>

#include "storage/sql_dialect.hpp"
#include "storage/storage_full.hpp"
#include "storage/store_unavailable.hpp"

namespace hookhost::storage {
namespace {

// A batch is BEGIN, then each piece of work in a savepoint, then COMMIT; work alone in its
// batch needs no savepoint (its failure is the transaction's). What runs between two pieces
// goes together: one round trip on PostgreSQL.
std::vector<const char*> afterWork(bool alone, bool last) {
  if (alone) return {"COMMIT"};
  if (last) return {"RELEASE work", "COMMIT"};
  return {"RELEASE work", "SAVEPOINT work"};
}

std::vector<const char*> afterFailedWork(bool alone, bool last) {
  if (alone) return {"ROLLBACK"};
  if (last) return {"ROLLBACK TO work", "RELEASE work", "COMMIT"};
  return {"ROLLBACK TO work", "RELEASE work", "SAVEPOINT work"};
}

}  // namespace

GroupCommitter::GroupCommitter(Poco::Data::Session session, std::size_t maxBatch, TransactionObserver* observer)
    : writer_connection_(std::move(session)),
      maxBatch_(maxBatch),
      observer_(observer),
      writer_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void GroupCommitter::submit(std::function<void(sql::Connection&)> work) {
  if (std::this_thread::get_id() == writer_.get_id()) {
    // Work that itself writes (a nested call) is already inside the batch's transaction.
    work(writer_connection_.connection);
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> committed = done->get_future();
  enqueue(Task{std::move(work), [done](std::exception_ptr failure) {
                 if (failure) done->set_exception(failure);
                 else done->set_value();
               }});
  committed.get();
}

void GroupCommitter::post(std::function<void(sql::Connection&)> work,
                          std::function<void(std::exception_ptr)> finished) {
  enqueue(Task{std::move(work), std::move(finished)});
}

void GroupCommitter::enqueue(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::runtime_error("the store is closing");
    pending_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void GroupCommitter::loop() {
  for (;;) {
    std::deque<Task> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything submitted has committed
      while (!pending_.empty() && batch.size() < maxBatch_) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    commitBatch(batch);
  }
}

bool GroupCommitter::connected() {
  if (writer_connection_.usable()) return true;
  try {
    writer_connection_.reconnect();
    return true;
  } catch (const Poco::Exception& error) {
    lastConnectError_ = error.displayText();
    return false;
  }
}

std::vector<const char*> GroupCommitter::ending(std::vector<const char*> statements, bool last, bool kept) {
  const char* notice = last && observer_ ? observer_->beforeCommit(writer_connection_.connection.dialect(), kept) : nullptr;
  if (notice && statements.back() == std::string_view("COMMIT")) statements.insert(statements.end() - 1, notice);
  return statements;
}

void GroupCommitter::commitBatch(std::deque<Task>& batch) {
  // A database that dropped the connection (restart, terminated backend) is reconnected
  // for the next batch; this one fails as unavailable, and its callers answer so.
  if (!connected()) {
    auto failure = std::make_exception_ptr(StoreUnavailable("cannot reach the database: " + lastConnectError_));
    for (auto& task : batch) task.finished(failure);
    return;
  }
  std::vector<std::exception_ptr> failures(batch.size());
  auto& connection = writer_connection_.connection;
  const bool alone = batch.size() == 1;
  try {
    if (alone) connection.executeTogether({sql::beginWrite(connection.dialect())});
    else connection.executeTogether({sql::beginWrite(connection.dialect()), "SAVEPOINT work"});
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const bool last = i + 1 == batch.size();
      std::exception_ptr failed;
      try {
        batch[i].work(connection);
      } catch (...) {
        failed = std::current_exception();
      }
      if (!failed) {
        try {
          // With what the work sent without waiting: its failure is the work's.
          connection.executeTogether(ending(afterWork(alone, last), last, true));
          if (observer_) observer_->workKept();
          continue;
        } catch (const sql::UnansweredStatementFailed&) {
          failed = std::current_exception();
        }
      }
      failures[i] = asStorageFull(failed);
      if (observer_) observer_->workUndone();
      connection.abandonUnanswered();
      connection.executeTogether(ending(afterFailedWork(alone, last), last, false));
    }
    if (observer_) observer_->batchCommitted();
  } catch (...) {
    if (observer_) observer_->batchRolledBack();
    // The transaction itself failed (disk full, I/O error, connection lost): nothing of the
    // batch is known to be durable.
    auto failure = asStorageFull(std::current_exception());
    try {
      connection.abandonUnanswered();
      connection.executeTogether({"ROLLBACK"});
    } catch (...) {
    }
    if (!writer_connection_.usable()) {
      failure = std::make_exception_ptr(StoreUnavailable("the database connection was lost during a commit"));
    }
    diskFull_.failed(failure);
    for (auto& task : batch) task.finished(failure);
    return;
  }
  bool full = false;
  for (const auto& failure : failures) full = diskFull_.failed(failure) || full;
  if (!full) diskFull_.committed();
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].finished(failures[i]);
}

}  // namespace hookhost::storage
