#pragma once

#include <cstdint>
#include <memory>

#include "common/clock.hpp"
#include "storage/store.hpp"

namespace hookhost::storage {

class GroupCommitter;

/// What one batch of pruning removed.
struct PrunedRows {
  std::int64_t jobs = 0;
  std::int64_t history = 0;
  std::int64_t events = 0;
  std::int64_t notifications = 0;
  /// False once the sweep reached events newer than the cutoff (or the end): the next
  /// batch starts a new sweep from the oldest event.
  bool more = false;
};

/// Removes what the retention no longer keeps, a bounded batch per call. A chain (a fired
/// event, the jobs it made, the events those jobs emitted, and so on) goes as a whole, and
/// only once every part of it is older than the cutoff: each event created, each job
/// terminal (SUCCEEDED, FAILED, TIMED_OUT, CANCELLED) and finished, each of their
/// notifications settled (sent or failed for good). So a queued, running or waiting job, a
/// job whose mail is still pending, and every job of a chain that still runs, are kept.
class Pruner {
 public:
  virtual ~Pruner() = default;
  /// Prunes one batch of chains older than `cutoff` (microseconds since the epoch) and
  /// gives space back. Throws what the store throws (the next call tries again).
  virtual PrunedRows pruneBatch(Micros cutoff) = 0;
  /// Whether the space of pruned rows goes back to the file system, or is only reused.
  virtual bool givesSpaceBack() = 0;
};

/// The Pruner of a SqlStore (SQLite or PostgreSQL). Its statements run in the store's own
/// writer, so on SQLite they share the group commit instead of fighting it for the write
/// lock; each batch is small (kWindow events) so no commit waits long behind it. On
/// PostgreSQL one host at a time prunes (an advisory lock; others skip the batch), and the
/// deletes are plain batched DELETEs that autovacuum follows. On a SQLite file created with
/// auto_vacuum=INCREMENTAL (every store made by this version) the freed pages go back to
/// the file system after each batch; an older file reuses them for new rows instead.
/// Not thread-safe: one loop calls it.
class SqlPruner final : public Pruner {
 public:
  /// The pruner of `store`, which must be a SqlStore (throws std::invalid_argument if not).
  static std::unique_ptr<SqlPruner> forStore(Store& store);
  explicit SqlPruner(GroupCommitter& writer);

  PrunedRows pruneBatch(Micros cutoff) override;

  /// SQLite with incremental vacuum, or PostgreSQL (autovacuum); false for a SQLite file
  /// created before this version.
  bool givesSpaceBack() override;

  // Events looked at per batch: a few hundred rows of jobs, history and mail with them.
  static constexpr int kWindow = 100;
  // Free pages a SQLite file keeps for the rows that come next; past it they are returned.
  static constexpr std::int64_t kKeepFreePages = 256;
  // Pages returned at most per batch, so one batch stays short.
  static constexpr std::int64_t kVacuumPagesPerBatch = 2048;

 private:
  GroupCommitter& writer_;
  std::int64_t cursor_ = 0;  // the last event id this sweep looked at
};

}  // namespace hookhost::storage
