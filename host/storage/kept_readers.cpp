#include "storage/kept_readers.hpp"

#include <Poco/Exception.h>

#include "storage/store_unavailable.hpp"

namespace hookhost::storage {

namespace {

// A connection that cannot be opened is the database being unreachable, which callers answer
// as such; anything else goes on as it was.
[[noreturn]] void rethrowAsUnavailable() {
  try {
    throw;
  } catch (const Poco::Exception& error) {
    throw StoreUnavailable("cannot connect to the database: " + error.displayText());
  }
}

}  // namespace

KeptReaders::KeptReaders(std::string connector, std::string connection, std::size_t max)
    : connector_(std::move(connector)), connection_(std::move(connection)), max_(max) {}

KeptReaders::~KeptReaders() = default;

void KeptReaders::Lease::reconnect() {
  try {
    reader_->reconnect();
  } catch (...) {
    rethrowAsUnavailable();
  }
}

KeptReaders::Lease KeptReaders::acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!returned_.wait_for(lock, wait, [this] { return !idle_.empty() || opened_ < max_; })) {
    throw StoreUnavailable("no database connection came free");
  }
  if (!idle_.empty()) {
    auto reader = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!reader->usable()) {
      try {
        reader->reconnect();
      } catch (...) {
        giveBack(std::move(reader));  // closed still: the next lease tries again
        rethrowAsUnavailable();
      }
    }
    return Lease(*this, std::move(reader));
  }
  ++opened_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<sql::KeptConnection>(Poco::Data::Session(connector_, connection_)));
  } catch (...) {
    lock.lock();
    --opened_;
    returned_.notify_one();
    rethrowAsUnavailable();
  }
}

void KeptReaders::giveBack(std::unique_ptr<sql::KeptConnection> reader) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(reader));
  }
  returned_.notify_one();
}

}  // namespace hookhost::storage
