#include "dispatch/retry_policy.hpp"

#include <algorithm>
#include <random>

namespace hookhost::dispatch {

std::chrono::milliseconds RetryPolicy::delayBeforeRetry(int failedAttempt) const {
  int exponent = std::clamp(failedAttempt - 1, 0, 30);
  long double full = static_cast<long double>(base.count()) * static_cast<long double>(1LL << exponent);
  auto capped = static_cast<std::int64_t>(std::min<long double>(full, static_cast<long double>(max.count())));
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(capped / 2, std::max<std::int64_t>(capped, capped / 2));
  return std::chrono::milliseconds(jitter(random));
}

}  // namespace hookhost::dispatch
