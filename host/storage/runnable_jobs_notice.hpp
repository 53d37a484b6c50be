#pragma once

#include "storage/group_committer.hpp"
#include "storage/queued_counter.hpp"

namespace hookhost::storage {

/// The writer's TransactionObserver: keeps the QueuedCounter and, on PostgreSQL, makes each
/// batch that left jobs runnable (a fire, a retry, a coalescing window's close, a re-run, a
/// rescued lease: every write that queues counts in the QueuedCounter) end with one NOTIFY
/// on kJobsChannel. The server delivers it at the commit, so the other hosts sharing the
/// store (PostgresWakeups) claim at once instead of at their next poll. A hint only: the
/// rows stay the truth. Nothing is sent on SQLite. Writer thread only.
class RunnableJobsNotice final : public TransactionObserver {
 public:
  /// `counter` is not owned and outlives this.
  explicit RunnableJobsNotice(QueuedCounter& counter) : counter_(counter) {}

  void workKept() override {
    queuedJobs_ = queuedJobs_ || counter_.workQueues();
    counter_.workKept();
  }
  void workUndone() override { counter_.workUndone(); }
  void batchCommitted() override {
    queuedJobs_ = false;
    counter_.batchCommitted();
  }
  void batchRolledBack() override {
    queuedJobs_ = false;
    counter_.batchRolledBack();
  }
  const char* beforeCommit(sql::Dialect dialect, bool lastWorkKept) override;

 private:
  QueuedCounter& counter_;
  bool queuedJobs_ = false;  // by work kept in the batch being written
};

}  // namespace hookhost::storage
