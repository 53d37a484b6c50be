#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "notify/mail_transport.hpp"
#include "notify/message_builder.hpp"
#include "notify/outbox.hpp"
#include "notify/retry_policy.hpp"

namespace hookhost::notify {

struct NotifierSettings {
  std::size_t batchSize = 16;                   // rows claimed per pass
  std::chrono::milliseconds pollInterval{500};  // longest sleep between passes without poke()
  /// How long a poked pass waits before it claims, so that the mail of jobs finishing close
  /// together shares one claim and one settle commit. Without it, one event at a time costs
  /// the writer two more commits per event, each landing in front of the next event's fire.
  std::chrono::milliseconds gather{20};
  /// How long a claim holds its rows. Must exceed the time one batch can take to send
  /// (batchSize × the SMTP timeout, worst case); a pass stops early rather than send on a
  /// lease that is about to run out.
  std::chrono::milliseconds lease{10 * 60 * 1000};
  /// The time one message may take; a row is sent only while the lease has this much left.
  std::chrono::milliseconds sendBudget{2 * 60 * 1000};
};

/// For /metrics: transitions the notifier applied to outbox rows since start.
struct NotifierCounters {
  std::uint64_t sent = 0;     // delivered or spooled
  std::uint64_t retried = 0;  // temporary failure, scheduled again
  std::uint64_t failed = 0;   // permanent failure or given up
};

/// Sends what the outbox holds: claims due rows, builds each message, hands it to the
/// transport and records the outcome (sent, retry with backoff, failed). Runs on its own
/// thread between start() and stop(); poke() wakes it at once (call it after committing a
/// notification), else it polls every pollInterval. Holds references to the outbox,
/// transport and builder, which must outlive it. All public members are thread-safe.
class Notifier {
 public:
  Notifier(Outbox& outbox, Transport& transport, const MessageBuilder& builder,
           RetryPolicy& retry, NotifierSettings settings = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start();
  /// Finishes the message being sent (bounded by the transport's timeout), then joins.
  void stop();
  void poke();

  /// One pass: claim up to batchSize due rows and settle them. Returns how many rows were
  /// claimed. Used by the thread; callable directly (tests, a one-shot flush) when the
  /// thread is not running.
  std::size_t runOnce();

  NotifierCounters counters() const;

 private:
  void loop();
  SendResult deliver(const Notification& notification);
  struct PassRecords;
  /// Records what a send came to, without waiting for it to be durable.
  void settle(const Notification& notification, const SendResult& result,
              const std::shared_ptr<PassRecords>& records);

  Outbox& outbox_;
  Transport& transport_;
  const MessageBuilder& builder_;
  RetryPolicy& retry_;
  NotifierSettings settings_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> retried_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace hookhost::notify
