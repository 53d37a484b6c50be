#include "memory_outbox.hpp"

#include <algorithm>

namespace hookhost::notify::testing {

std::int64_t MemoryOutbox::add(Notification notification, Micros dueAt) {
  std::lock_guard lock(mutex_);
  Row row;
  notification.id = static_cast<std::int64_t>(rows_.size()) + 1;
  if (notification.createdAt == 0) notification.createdAt = nowMicros();
  if (notification.jobPath.empty()) notification.jobPath = jobPathOf(notification.jobId);
  notification.sendAttempts = 0;
  row.nextAttemptAt = dueAt != 0 ? dueAt : notification.createdAt;
  row.notification = std::move(notification);
  rows_.push_back(std::move(row));
  return rows_.back().notification.id;
}

MemoryOutbox::Row MemoryOutbox::row(std::int64_t id) const {
  std::lock_guard lock(mutex_);
  return rows_.at(static_cast<std::size_t>(id - 1));
}

std::vector<MemoryOutbox::Row> MemoryOutbox::rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

std::size_t MemoryOutbox::countIn(State state) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(rows_.begin(), rows_.end(), [&](const Row& r) { return r.state == state; }));
}

int MemoryOutbox::staleMarks() const {
  std::lock_guard lock(mutex_);
  return staleMarks_;
}

int MemoryOutbox::claimCalls() const {
  std::lock_guard lock(mutex_);
  return claimCalls_;
}

Result<std::vector<Notification>> MemoryOutbox::claimDue(Micros now, std::size_t limit, Micros leaseUntil,
                                                         outbox::Channel channel) {
  std::lock_guard lock(mutex_);
  ++claimCalls_;
  std::vector<Row*> due;
  for (auto& row : rows_) {
    if (row.state == State::Pending && row.nextAttemptAt <= now && row.leaseUntil <= now &&
        outbox::channelOf(row.notification.recipient) == channel) {
      due.push_back(&row);
    }
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const Row* a, const Row* b) { return a->nextAttemptAt < b->nextAttemptAt; });
  if (due.size() > limit) due.resize(limit);
  std::vector<Notification> claimed;
  for (Row* row : due) {
    row->leaseUntil = leaseUntil;
    ++row->notification.sendAttempts;
    claimed.push_back(row->notification);
  }
  return claimed;
}

MemoryOutbox::Row* MemoryOutbox::fenced(std::int64_t id, int sendAttempt) {
  if (id < 1 || static_cast<std::size_t>(id) > rows_.size()) return nullptr;
  Row& row = rows_[static_cast<std::size_t>(id - 1)];
  if (row.state != State::Pending || row.notification.sendAttempts != sendAttempt) {
    ++staleMarks_;
    return nullptr;
  }
  row.leaseUntil = 0;
  return &row;
}

Status MemoryOutbox::markSent(std::int64_t id, int sendAttempt, Micros at) {
  std::lock_guard lock(mutex_);
  Row* row = fenced(id, sendAttempt);
  if (!row) return makeError(ErrorKind::Conflict, "stale_claim", "stale claim");
  row->state = State::Sent;
  row->settledAt = at;
  row->history.push_back("sent");
  return Ok{};
}

Status MemoryOutbox::markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt,
                               const std::string& error) {
  std::lock_guard lock(mutex_);
  Row* row = fenced(id, sendAttempt);
  if (!row) return makeError(ErrorKind::Conflict, "stale_claim", "stale claim");
  row->nextAttemptAt = nextAttemptAt;
  row->notification.lastError = error;
  ++row->retries;
  row->history.push_back("retry: " + error);
  return Ok{};
}

Status MemoryOutbox::markFailed(std::int64_t id, int sendAttempt, Micros at,
                                const std::string& error) {
  std::lock_guard lock(mutex_);
  Row* row = fenced(id, sendAttempt);
  if (!row) return makeError(ErrorKind::Conflict, "stale_claim", "stale claim");
  row->state = State::Failed;
  row->settledAt = at;
  row->notification.lastError = error;
  row->history.push_back("failed: " + error);
  return Ok{};
}

}  // namespace hookhost::notify::testing
