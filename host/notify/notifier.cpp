#include "notify/notifier.hpp"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <Poco/Logger.h>
#include <Poco/Net/MailMessage.h>

#include "notify/send_outcome.hpp"

namespace hookhost::notify {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("hookhost.notify"); }

// How long a pass waits for its sends' outcomes to be recorded before the next claim.
constexpr std::chrono::seconds kRecordWait{30};

}  // namespace

Notifier::Notifier(Outbox& outbox, Transport& transport, const MessageBuilder& builder,
                   RetryPolicy& retry, NotifierSettings settings)
    : outbox_(outbox),
      transport_(transport),
      builder_(builder),
      retry_(retry),
      settings_(settings) {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

NotifierCounters Notifier::counters() const {
  return NotifierCounters{sent_.load(), retried_.load(), failed_.load()};
}

void Notifier::loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      // Cleared before the pass: a poke that arrives during it makes the wait below return
      // at once instead of being lost.
      poked_ = false;
    }
    std::size_t claimed = 0;
    try {
      claimed = runOnce();
    } catch (const std::exception& e) {
      logger().error(std::string("notifier pass failed: ") + e.what());
    }
    std::unique_lock lock(mutex_);
    if (claimed == settings_.batchSize) continue;  // a full batch: more may be due now
    bool poked = wake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_ || poked_; });
    if (poked) wake_.wait_for(lock, settings_.gather, [this] { return stopping_; });
  }
}

// The records of one pass's sends, which the store makes durable while the pass goes on.
// Shared with the callbacks, which may outlive a pass that gave up waiting for them.
struct Notifier::PassRecords {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t outstanding = 0;
  NotifierCounters applied;
};

std::size_t Notifier::runOnce() {
  const Micros now = nowMicros();
  const Micros leaseUntil = now + settings_.lease.count() * 1000;
  auto claimed = outbox_.claimDue(now, settings_.batchSize, leaseUntil, Channel::Mail);
  if (!claimed) {
    logger().warning("cannot claim notifications: " + claimed.error().message);
    return 0;
  }
  std::vector<std::pair<const Notification*, SendResult>> sends;
  std::optional<SendResult> serverDown;
  for (const Notification& notification : claimed.value()) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;  // the unsent rows come back when their lease runs out
    }
    if (nowMicros() + settings_.sendBudget.count() * 1000 > leaseUntil) break;
    // One unreachable server fails the rest of the batch without a connection each.
    SendResult result = serverDown ? *serverDown : deliver(notification);
    if (result.status == SendStatus::Temporary && result.scope == FailureScope::Server) {
      serverDown = result;
    }
    sends.emplace_back(&notification, std::move(result));
  }
  // Sent means durable: the transport makes the pass's messages so before any is recorded.
  SendResult flushed = transport_.flush();
  auto records = std::make_shared<PassRecords>();
  for (auto& [notification, result] : sends) {
    if (result.status == SendStatus::Sent && flushed.status != SendStatus::Sent) result = flushed;
    settle(*notification, result, records);
  }
  // A pass ends when its records are durable: the counters and stop() see them, and what
  // is outstanding stays within one pass.
  std::unique_lock lock(records->mutex);
  if (!records->done.wait_for(lock, kRecordWait, [&] { return records->outstanding == 0; })) {
    logger().warning("the outcomes of " + std::to_string(records->outstanding) +
                     " notifications were not recorded in time; they are sent again when their lease ends");
  }
  sent_ += records->applied.sent;
  retried_ += records->applied.retried;
  failed_ += records->applied.failed;
  return claimed->size();
}

SendResult Notifier::deliver(const Notification& notification) {
  if (notification.recipient.empty()) {
    return SendResult{SendStatus::Permanent, "no recipient address", FailureScope::Message};
  }
  try {
    Poco::Net::MailMessage message;
    builder_.build(notification, message);
    return transport_.send(notification, message);
  } catch (const std::exception& e) {
    return SendResult{SendStatus::Permanent, std::string("cannot build the message: ") + e.what(),
                      FailureScope::Message};
  }
}

void Notifier::settle(const Notification& n, const SendResult& result, const std::shared_ptr<PassRecords>& records) {
  SendOutcome outcome = outcomeOf(n, result, retry_);
  {
    std::lock_guard lock(records->mutex);
    ++records->outstanding;
  }
  const SendOutcome::State state = outcome.state;
  auto recorded = [records, state, what = describe(n)](const Status& status) {
    if (!status) logger().warning("cannot record the outcome of " + what + ": " + status.error().message);
    std::lock_guard lock(records->mutex);
    if (status) {
      auto& counter = state == SendOutcome::State::Sent    ? records->applied.sent
                      : state == SendOutcome::State::Retry ? records->applied.retried
                                                           : records->applied.failed;
      ++counter;
    }
    --records->outstanding;
    records->done.notify_all();
  };
  try {
    outbox_.recordLater(std::move(outcome), recorded);
  } catch (const std::exception& error) {
    recorded(makeError(ErrorKind::Unavailable, "store_unavailable", error.what()));
  }
}

}  // namespace hookhost::notify
