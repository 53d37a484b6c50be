#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "outbox/notification.hpp"

namespace hookhost::outbox {

/// The durable queue of notifications, implemented by the store (storage owns the rows;
/// the finishing transaction inserts them). Semantics every implementation keeps:
///
/// - A row is *pending* until markSent or markFailed; pending rows have `next_attempt_at`
///   (initially the creation time) and an optional lease (`lease_expires_at`).
/// - claimDue atomically picks pending rows with `next_attempt_at <= now` whose lease is
///   absent or expired (`lease_expires_at <= now`), oldest due first, sets their lease to
///   `leaseUntil`, increments `send_attempts`, and returns them with the new count. Two
///   claimers (threads or hosts) therefore never hold the same row at once, and a claimer
///   that crashes mid-send only delays its rows until the lease runs out: the message is
///   then sent again (at least once, with the same Message-ID so a receiver can
///   de-duplicate), never lost.
/// - The mark* calls are fenced by `(id, sendAttempt)`: they apply only while the row is
///   pending and its `send_attempts` still equals `sendAttempt` (the claim that sent it).
///   Otherwise they change nothing and return ErrorKind::Conflict, code "stale_claim".
///   Each applied mark clears the lease, stores `error` as the row's last error, and is
///   recorded as a NOTIFY history entry on the job (data: notification id, recipient,
///   state sent|retry|failed, send attempt, error, channel, a webhook's http_status) and
///   counted in /metrics.
/// - Store failures come back as ErrorKind::Unavailable; the notifier logs and retries later.
///
/// Implementations are thread-safe.

/// What one send came to, as markSent / markRetry / markFailed record it.
struct SendOutcome {
  enum class State { Sent, Retry, Failed };
  std::int64_t id = 0;
  int sendAttempt = 0;
  State state = State::Sent;
  Micros at = 0;             // when it was sent or failed (Sent, Failed)
  Micros nextAttemptAt = 0;  // when it is due again (Retry)
  std::string error;         // Retry, Failed
  int httpStatus = 0;        // a webhook's answer, 0 when there was none (mail, no connection)
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  /// Claims only rows of `channel`, so that each channel's sender drains its own rows at its
  /// own pace.
  virtual Result<std::vector<Notification>> claimDue(Micros now, std::size_t limit, Micros leaseUntil,
                                                     Channel channel = Channel::Mail) = 0;
  /// Terminal: delivered (or spooled) at `at`.
  virtual Status markSent(std::int64_t id, int sendAttempt, Micros at) = 0;
  /// Still pending, due again at `nextAttemptAt`.
  virtual Status markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt,
                           const std::string& error) = 0;
  /// Terminal: permanently rejected, or given up after the retry window.
  virtual Status markFailed(std::int64_t id, int sendAttempt, Micros at,
                            const std::string& error) = 0;
  /// Records `outcome` as the mark* call of its state does. A store may return before it is
  /// durable (the notifier sends its next message meanwhile, and the records share
  /// commits): `recorded` gets the result once it is, possibly on another thread, and must
  /// be quick. By default, the mark* call at once.
  virtual void recordLater(SendOutcome outcome, std::function<void(Status)> recorded) {
    recorded(record(outcome));
  }
  /// How many notifications of `channel` this process has queued so far, counted as they
  /// are written (one in a rolled-back savepoint too). A hint for waking that channel's
  /// notifier only when it has new rows; rows of other hosts are found by its polls.
  virtual std::uint64_t queuedHere(Channel) const { return 0; }

 protected:
  /// The mark* call for `outcome`.
  Status record(const SendOutcome& outcome) {
    switch (outcome.state) {
      case SendOutcome::State::Sent: return markSent(outcome.id, outcome.sendAttempt, outcome.at);
      case SendOutcome::State::Retry:
        return markRetry(outcome.id, outcome.sendAttempt, outcome.nextAttemptAt, outcome.error);
      case SendOutcome::State::Failed: break;
    }
    return markFailed(outcome.id, outcome.sendAttempt, outcome.at, outcome.error);
  }
};

}  // namespace hookhost::outbox
