#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "notify/notifier.hpp"
#include "notify/outbox.hpp"
#include "notify/retry_policy.hpp"
#include "notify/webhook_sender.hpp"

namespace hookhost::notify {

struct WebhookNotifierSettings {
  std::size_t inFlight = 8;                     // webhooks sent at once, at most
  std::chrono::milliseconds pollInterval{500};  // longest wait between claims without poke()
  /// How long a claim holds its row; far beyond one send (15 s), as rows are claimed only
  /// when a sender is free to take them at once.
  std::chrono::milliseconds lease{10 * 60 * 1000};
};

/// Sends the outbox's webhook rows, apart from the mail notifier so that neither waits for
/// the other. Rows are claimed only as senders come free (settings.inFlight of them, each
/// on its own thread), so a receiver that never answers holds one sender for one timeout
/// and the other webhooks go on. Outcomes are recorded like mail's (outcomeOf: the same
/// backoff and give-up window). Holds references to the outbox, sender and retry policy,
/// which must outlive it. Public members are thread-safe.
class WebhookNotifier {
 public:
  WebhookNotifier(Outbox& outbox, const WebhookSender& sender, RetryPolicy& retry, WebhookNotifierSettings settings = {});
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  void start();
  /// Stops claiming, lets the senders finish what they hold (each bounded by the request
  /// timeout), then joins.
  void stop();
  /// A notification was committed: claim now rather than at the next poll.
  void poke();
  NotifierCounters counters() const;

 private:
  void claimLoop();
  void sendLoop();
  std::size_t freeSenders() const;  // with mutex_ held
  void record(const Notification& notification, const SendResult& result);

  Outbox& outbox_;
  const WebhookSender& sender_;
  RetryPolicy& retry_;
  const WebhookNotifierSettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable claimWake_;
  std::condition_variable sendWake_;
  std::deque<Notification> queue_;
  std::size_t busy_ = 0;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread claimer_;
  std::vector<std::thread> senders_;

  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> retried_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace hookhost::notify
