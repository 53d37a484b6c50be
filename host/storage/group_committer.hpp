#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <Poco/Data/Session.h>

#include "storage/sql_connection.hpp"
#include "storage/storage_full.hpp"

namespace hookhost::storage {

/// Told, on the writer thread, how each piece of work and each batch ended, for state kept
/// beside the rows that must follow them (QueuedCounter).
class TransactionObserver {
 public:
  virtual ~TransactionObserver() = default;
  virtual void workKept() = 0;         // its savepoint was released
  virtual void workUndone() = 0;       // it threw; its savepoint was rolled back
  virtual void batchCommitted() = 0;   // the kept work is durable
  virtual void batchRolledBack() = 0;  // nothing of the batch is
  /// A statement to end the batch's transaction with, just before its COMMIT (a NOTIFY of
  /// what it did), or null. Asked before the last piece of work is kept or undone:
  /// `lastWorkKept` says which it will be.
  virtual const char* beforeCommit(sql::Dialect, bool /*lastWorkKept*/) { return nullptr; }
};

/// Serialises every write of a store through one connection and one thread, and lets the
/// writes that arrive together share one transaction and one fsync (group commit). Each
/// piece of work runs inside its own savepoint, so one that throws is rolled back alone and
/// its exception reaches its caller; the others still commit. run() returns only after the
/// commit is durable. A disk-full failure of the database reaches callers as StorageFull and
/// is logged once per spell.
class GroupCommitter {
 public:
  /// Owns `session`; `maxBatch` bounds how much work shares one commit; `observer` (not
  /// owned, may be null) outlives the committer.
  explicit GroupCommitter(Poco::Data::Session session, std::size_t maxBatch = 1024,
                          TransactionObserver* observer = nullptr);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  /// Runs `work(session)` in the writer thread, in a transaction, and returns its result
  /// after the commit. Rethrows what `work` throws (after rolling its writes back).
  template <typename Work>
  auto run(Work&& work) -> std::invoke_result_t<Work, sql::Connection&> {
    using R = std::invoke_result_t<Work, sql::Connection&>;
    if constexpr (std::is_void_v<R>) {
      submit([&](sql::Connection& session) { work(session); });
    } else {
      std::optional<R> out;
      submit([&](sql::Connection& session) { out.emplace(work(session)); });
      return std::move(*out);
    }
  }

  /// Like run() without waiting: `finished` is called on the writer thread once the work is
  /// committed (with nullptr) or has failed (with the exception). It must be quick and must
  /// not write through this committer.
  void post(std::function<void(sql::Connection&)> work, std::function<void(std::exception_ptr)> finished);

  /// post() for work that returns a value: `finished(value, nullptr)` once the work is
  /// committed, `finished(std::nullopt, failure)` when it or its commit failed.
  template <typename Work, typename Finished>
  void postForResult(Work work, Finished finished) {
    using R = std::invoke_result_t<Work&, sql::Connection&>;
    auto result = std::make_shared<std::optional<R>>();
    post([result, work = std::move(work)](sql::Connection& session) mutable { result->emplace(work(session)); },
         [result, finished = std::move(finished)](std::exception_ptr failure) mutable {
           finished(failure ? std::nullopt : std::move(*result), failure);
         });
  }

 private:
  struct Task {
    std::function<void(sql::Connection&)> work;
    std::function<void(std::exception_ptr)> finished;
  };

  void submit(std::function<void(sql::Connection&)> work);
  void enqueue(Task task);
  void loop();
  void commitBatch(std::deque<Task>& batch);
  /// `statements` that end a piece of work, with the observer's last statement before the
  /// COMMIT when they commit the batch.
  std::vector<const char*> ending(std::vector<const char*> statements, bool last, bool kept);
  bool connected();

  // The writer runs the same statements all day: on SQLite they stay prepared.
  sql::KeptConnection writer_connection_;
  std::string lastConnectError_;
  DiskFullWatch diskFull_;
  std::size_t maxBatch_;
  TransactionObserver* observer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> pending_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hookhost::storage
