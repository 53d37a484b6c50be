#pragma once

#include <mutex>
#include <vector>

#include "notify/outbox.hpp"

namespace hookhost::notify::testing {

/// The Outbox contract (notify/outbox.hpp) kept in memory, for tests of the notifier. The
/// store's SQL implementation must behave the same way.
class MemoryOutbox final : public Outbox {
 public:
  enum class State { Pending, Sent, Failed };
  struct Row {
    Notification notification;
    State state = State::Pending;
    Micros nextAttemptAt = 0;
    Micros leaseUntil = 0;
    Micros settledAt = 0;
    int retries = 0;  // applied markRetry calls
    std::vector<std::string> history;  // "sent", "retry: <error>", "failed: <error>"
  };

  /// Adds a pending row due now (or at `dueAt`); returns its id. createdAt defaults to now.
  std::int64_t add(Notification notification, Micros dueAt = 0);

  Row row(std::int64_t id) const;
  std::vector<Row> rows() const;
  std::size_t countIn(State state) const;
  int staleMarks() const;
  int claimCalls() const;

  Result<std::vector<Notification>> claimDue(Micros now, std::size_t limit, Micros leaseUntil,
                                             outbox::Channel channel = outbox::Channel::Mail) override;
  Status markSent(std::int64_t id, int sendAttempt, Micros at) override;
  Status markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt,
                   const std::string& error) override;
  Status markFailed(std::int64_t id, int sendAttempt, Micros at,
                    const std::string& error) override;

 private:
  Row* fenced(std::int64_t id, int sendAttempt);

  mutable std::mutex mutex_;
  std::vector<Row> rows_;  // index = id - 1
  int staleMarks_ = 0;
  int claimCalls_ = 0;
};

}  // namespace hookhost::notify::testing
