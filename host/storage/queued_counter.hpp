#pragma once

#include <atomic>
#include <cstdint>

#include "storage/group_committer.hpp"

namespace hookhost::storage {

/// The number of QUEUED jobs, kept in memory for the 429 limit (a count query per fire
/// would cost a scan). Writes change it as they change rows, on the writer thread; a change
/// counts only once its rows commit: a piece of work whose savepoint rolls back, or a batch
/// whose commit fails, takes its changes with it, so the count does not drift from the table.
class QueuedCounter final : public TransactionObserver {
 public:
  /// Writer thread: the work running now queued (`jobs` > 0) or took (`jobs` < 0) jobs.
  void add(std::int64_t jobs) { work_ += jobs; }
  /// Writer thread: the work running now left more jobs queued than it took.
  bool workQueues() const { return work_ > 0; }
  /// Writer thread: the count as the running transaction sees it.
  std::int64_t inTransaction() const { return committed_.load() + batch_ + work_; }
  /// Writer thread: the running transaction counted `jobs` itself (other hosts queue too).
  void recountedInTransaction(std::int64_t jobs) { committed_ = jobs - batch_ - work_; }
  /// The committed count; any thread.
  std::int64_t committed() const { return committed_.load(); }
  /// Before the writer starts.
  void reset(std::int64_t jobs) { committed_ = jobs; }

  void workKept() override {
    batch_ += work_;
    work_ = 0;
  }
  void workUndone() override { work_ = 0; }
  void batchCommitted() override {
    committed_ += batch_;
    batch_ = 0;
  }
  void batchRolledBack() override {
    batch_ = 0;
    work_ = 0;
  }

 private:
  std::atomic<std::int64_t> committed_{0};
  std::int64_t batch_ = 0;  // kept by work of the batch being written, not yet committed
  std::int64_t work_ = 0;   // by the work running now
};

}  // namespace hookhost::storage
