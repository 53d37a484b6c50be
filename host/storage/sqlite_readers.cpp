#include "storage/sqlite_readers.hpp"

#include "storage/store_unavailable.hpp"

namespace hookhost::storage {

SqliteReaders::SqliteReaders(std::string path, std::size_t max) : path_(std::move(path)), max_(max) {}

SqliteReaders::~SqliteReaders() = default;

SqliteReaders::Lease SqliteReaders::acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!returned_.wait_for(lock, wait, [this] { return !idle_.empty() || opened_ < max_; })) {
    throw StoreUnavailable("no database connection came free");
  }
  if (!idle_.empty()) {
    auto reader = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(reader));
  }
  ++opened_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<sql::KeptConnection>(Poco::Data::Session("SQLite", path_)));
  } catch (...) {
    lock.lock();
    --opened_;
    returned_.notify_one();
    throw;
  }
}

void SqliteReaders::giveBack(std::unique_ptr<sql::KeptConnection> reader) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(reader));
  }
  returned_.notify_one();
}

}  // namespace hookhost::storage
