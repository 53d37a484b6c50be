#pragma once

#include <atomic>
#include <exception>
#include <stdexcept>
#include <string>

namespace hookhost::storage {

/// The database's disk is full (SQLite's SQLITE_FULL, PostgreSQL's SQLSTATE 53100): what was
/// being written is not durable, and nothing else is wrong. Callers answer 507 and leave
/// work that must be recorded to be recorded again (or rescued at the next start).
class StorageFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Whether a database error's text says the disk is full.
bool isDiskFullMessage(const std::string& message);

/// `failure` as StorageFull when it is a disk-full error of the database, else unchanged.
std::exception_ptr asStorageFull(std::exception_ptr failure);

/// Logs a change between "disk full" and "disk writable again" once, not at every write that
/// fails or succeeds meanwhile. Thread-safe.
class DiskFullWatch {
 public:
  /// After a write failed: logs (once) when `failure` is the first disk-full of a spell.
  /// Returns whether `failure` is a StorageFull.
  bool failed(const std::exception_ptr& failure);
  /// After a write committed: logs (once) when the disk was full.
  void committed();
  bool full() const { return full_.load(); }

 private:
  std::atomic<bool> full_{false};
};

}  // namespace hookhost::storage
