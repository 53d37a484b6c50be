#pragma once

#include <chrono>

namespace hookhost::dispatch {

/// Exponential backoff with jitter between attempts of a failed job: the n-th retry waits a
/// random time in [d/2, d] where d = base * 2^(n-1), capped at `max`. The jitter keeps
/// handlers that failed together (a dependency down) from retrying in lockstep.
struct RetryPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max{300'000};

  std::chrono::milliseconds delayBeforeRetry(int failedAttempt) const;
};

}  // namespace hookhost::dispatch
