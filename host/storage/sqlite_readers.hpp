#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Data/Session.h>

#include "storage/sql_connection.hpp"

namespace hookhost::storage {

/// Read connections to one SQLite file, each keeping its prepared statements, for the
/// store's life. An embedded database's connections do not drop, so, unlike Poco's session
/// pool (which closes idle ones, and their statements with them), a statement prepared once
/// serves every later read on its connection: preparing was most of a key look-up's cost.
/// Thread-safe; each connection is lent to one thread at a time.
class SqliteReaders {
 public:
  /// Opens connections to `path` on demand, at most `max`.
  SqliteReaders(std::string path, std::size_t max);
  ~SqliteReaders();
  SqliteReaders(const SqliteReaders&) = delete;
  SqliteReaders& operator=(const SqliteReaders&) = delete;

  /// A connection lent until the lease ends.
  class Lease {
   public:
    Lease(SqliteReaders& owner, std::unique_ptr<sql::KeptConnection> reader)
        : owner_(owner), reader_(std::move(reader)) {}
    ~Lease() { owner_.giveBack(std::move(reader_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    sql::Connection& connection() { return reader_->connection; }

   private:
    SqliteReaders& owner_;
    std::unique_ptr<sql::KeptConnection> reader_;
  };

  /// Waits up to `wait` for a free connection when all `max` are lent; then StoreUnavailable.
  Lease acquire(std::chrono::milliseconds wait);

 private:
  void giveBack(std::unique_ptr<sql::KeptConnection> reader);

  const std::string path_;
  const std::size_t max_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<sql::KeptConnection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace hookhost::storage
