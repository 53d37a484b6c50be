#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "common/clock.hpp"

namespace hookhost::notify {

struct RetrySettings {
  std::chrono::milliseconds min{30'000};                  // mail.retry_min
  std::chrono::milliseconds max{3'600'000};               // mail.retry_max
  std::chrono::milliseconds giveUpAfter{5LL * 86'400'000};  // mail.give_up_after
};

/// What to do after a temporary failure.
struct RetryDecision {
  enum class Kind { RetryAt, GiveUp } kind = Kind::RetryAt;
  Micros nextAttemptAt = 0;  // RetryAt: when the row becomes due again
  std::string error;         // GiveUp: "gave up after 5d: <last error>"
};

/// Exponential backoff with jitter: the n-th wait is about min·2^(n-1), spread ±25% so
/// rows that failed together do not retry together, and kept within [min, max]. The window
/// is measured from the notification's creation: the last retry is placed at the window's
/// end, and a failure at or past the end gives up. Thread-safe.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetrySettings settings, std::uint64_t seed = std::random_device{}());

  /// `attempts`: send attempts made so far (1 after the first failure).
  std::chrono::milliseconds backoff(int attempts);

  RetryDecision afterTemporaryFailure(Micros createdAt, int attempts, Micros now,
                                      const std::string& error);

  const RetrySettings& settings() const { return settings_; }

 private:
  RetrySettings settings_;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

/// "5d", "1h", "30s", "500ms", or a mix such as "1h30m" for durations that are not whole.
std::string formatDuration(std::chrono::milliseconds duration);

}  // namespace hookhost::notify
