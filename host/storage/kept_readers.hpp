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

/// Read connections to one database, each keeping its prepared statements, for the store's
/// life. Unlike Poco's session pool (which closes idle ones, and their statements with them,
/// and hides the handle the statements run on), a statement prepared once serves every later
/// read on its connection: preparing was most of a key look-up's cost. A connection the
/// database dropped is opened again when it is next lent. Thread-safe; each connection is
/// lent to one thread at a time.
class KeptReaders {
 public:
  /// Opens connections with Poco's `connector` ("SQLite", "PostgreSQL") to `connection` on
  /// demand, at most `max`.
  KeptReaders(std::string connector, std::string connection, std::size_t max);
  ~KeptReaders();
  KeptReaders(const KeptReaders&) = delete;
  KeptReaders& operator=(const KeptReaders&) = delete;

  /// A connection lent until the lease ends.
  class Lease {
   public:
    Lease(KeptReaders& owner, std::unique_ptr<sql::KeptConnection> reader)
        : owner_(owner), reader_(std::move(reader)) {}
    ~Lease() { owner_.giveBack(std::move(reader_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    sql::Connection& connection() { return reader_->connection; }
    bool usable() { return reader_->usable(); }
    /// Opens the connection again (it was dropped); StoreUnavailable when it cannot be.
    void reconnect();

   private:
    KeptReaders& owner_;
    std::unique_ptr<sql::KeptConnection> reader_;
  };

  /// Waits up to `wait` for a free connection when all `max` are lent; then StoreUnavailable,
  /// as when the database cannot be reached.
  Lease acquire(std::chrono::milliseconds wait);

 private:
  void giveBack(std::unique_ptr<sql::KeptConnection> reader);

  const std::string connector_;
  const std::string connection_;
  const std::size_t max_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<sql::KeptConnection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace hookhost::storage
