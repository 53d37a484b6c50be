#include "notify/webhook_notifier.hpp"

#include <algorithm>
#include <future>
#include <memory>

#include <Poco/Logger.h>

#include "notify/send_outcome.hpp"

namespace hookhost::notify {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("hookhost.notify"); }

// How long a sender waits for its outcome to be recorded before it takes the next row.
constexpr std::chrono::seconds kRecordWait{30};

}  // namespace

WebhookNotifier::WebhookNotifier(Outbox& outbox, const WebhookSender& sender, RetryPolicy& retry,
                                 WebhookNotifierSettings settings)
    : outbox_(outbox), sender_(sender), retry_(retry), settings_(settings) {}

WebhookNotifier::~WebhookNotifier() { stop(); }

void WebhookNotifier::start() {
  std::lock_guard lock(mutex_);
  if (claimer_.joinable()) return;
  stopping_ = false;
  poked_ = true;  // rows left by the last run are due now
  for (std::size_t i = 0; i < std::max<std::size_t>(settings_.inFlight, 1); ++i) {
    senders_.emplace_back([this] { sendLoop(); });
  }
  claimer_ = std::thread([this] { claimLoop(); });
}

void WebhookNotifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  claimWake_.notify_all();
  sendWake_.notify_all();
  if (claimer_.joinable()) claimer_.join();
  for (auto& sender : senders_) {
    if (sender.joinable()) sender.join();
  }
  senders_.clear();
}

void WebhookNotifier::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  claimWake_.notify_all();
}

NotifierCounters WebhookNotifier::counters() const {
  return NotifierCounters{sent_.load(), retried_.load(), failed_.load()};
}

std::size_t WebhookNotifier::freeSenders() const {
  const std::size_t held = queue_.size() + busy_;
  const std::size_t all = std::max<std::size_t>(settings_.inFlight, 1);
  return held >= all ? 0 : all - held;
}

void WebhookNotifier::claimLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // A poll without a poke also claims: rows retried later come due without one.
    claimWake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_ || (poked_ && freeSenders() > 0); });
    if (stopping_) return;
    const std::size_t free = freeSenders();
    if (free == 0) continue;
    poked_ = false;
    lock.unlock();
    const Micros now = nowMicros();
    auto claimed = outbox_.claimDue(now, free, now + settings_.lease.count() * 1000, Channel::Webhook);
    lock.lock();
    if (!claimed) {
      logger().warning("cannot claim webhook notifications: " + claimed.error().message);
      continue;
    }
    for (auto& notification : *claimed) queue_.push_back(std::move(notification));
    // As many as asked for: more may be due, claimed as soon as a sender is free.
    if (claimed->size() == free) poked_ = true;
    // One sender for each claimed row; an empty claim wakes none.
    for (std::size_t i = 0; i < claimed->size(); ++i) sendWake_.notify_one();
  }
}

void WebhookNotifier::sendLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    sendWake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing claimed is left unsent
    Notification notification = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    record(notification, sender_.send(notification));
    lock.lock();
    --busy_;
    claimWake_.notify_all();  // a sender is free
  }
}

void WebhookNotifier::record(const Notification& notification, const SendResult& result) {
  SendOutcome outcome = outcomeOf(notification, result, retry_);
  const SendOutcome::State state = outcome.state;
  auto done = std::make_shared<std::promise<Status>>();
  auto recorded = done->get_future();
  try {
    outbox_.recordLater(std::move(outcome), [done](Status status) { done->set_value(std::move(status)); });
  } catch (const std::exception& error) {
    done->set_value(makeError(ErrorKind::Unavailable, "store_unavailable", error.what()));
  }
  if (recorded.wait_for(kRecordWait) != std::future_status::ready) {
    logger().warning("the outcome of " + describe(notification) + " was not recorded in time; it is sent again when its lease ends");
    return;
  }
  Status status = recorded.get();
  if (!status) {
    logger().warning("cannot record the outcome of " + describe(notification) + ": " + status.error().message);
    return;
  }
  auto& counter = state == SendOutcome::State::Sent ? sent_ : state == SendOutcome::State::Retry ? retried_ : failed_;
  ++counter;
}

}  // namespace hookhost::notify
