#include "notify/notifier.hpp"

#include <optional>

#include <Poco/Logger.h>
#include <Poco/Net/MailMessage.h>

namespace hookhost::notify {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("hookhost.notify"); }

std::string describe(const Notification& n) {
  return "notification " + std::to_string(n.id) + " (job " + std::to_string(n.jobId) + ", to " +
         n.recipient + ", attempt " + std::to_string(n.sendAttempts) + ")";
}

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
    wake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_ || poked_; });
  }
}

std::size_t Notifier::runOnce() {
  const Micros now = nowMicros();
  const Micros leaseUntil = now + settings_.lease.count() * 1000;
  auto claimed = outbox_.claimDue(now, settings_.batchSize, leaseUntil);
  if (!claimed) {
    logger().warning("cannot claim notifications: " + claimed.error().message);
    return 0;
  }
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
    settle(notification, result);
  }
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

void Notifier::settle(const Notification& n, const SendResult& result) {
  const Micros now = nowMicros();
  Status recorded = Ok{};
  switch (result.status) {
    case SendStatus::Sent:
      recorded = outbox_.markSent(n.id, n.sendAttempts, now);
      if (recorded) ++sent_;
      break;
    case SendStatus::Permanent:
      logger().warning(describe(n) + " failed permanently: " + result.error);
      recorded = outbox_.markFailed(n.id, n.sendAttempts, now, result.error);
      if (recorded) ++failed_;
      break;
    case SendStatus::Temporary: {
      RetryDecision decision =
          retry_.afterTemporaryFailure(n.createdAt, n.sendAttempts, now, result.error);
      if (decision.kind == RetryDecision::Kind::GiveUp) {
        logger().warning(describe(n) + ": " + decision.error);
        recorded = outbox_.markFailed(n.id, n.sendAttempts, now, decision.error);
        if (recorded) ++failed_;
        break;
      }
      logger().information(describe(n) + " will be retried at " +
                           formatRfc3339(decision.nextAttemptAt) + ": " + result.error);
      recorded = outbox_.markRetry(n.id, n.sendAttempts, decision.nextAttemptAt, result.error);
      if (recorded) ++retried_;
      break;
    }
  }
  if (!recorded) {
    logger().warning("cannot record the outcome of " + describe(n) + ": " +
                     recorded.error().message);
  }
}

}  // namespace hookhost::notify
