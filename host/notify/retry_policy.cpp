#include "notify/retry_policy.hpp"

#include <algorithm>

namespace hookhost::notify {

RetryPolicy::RetryPolicy(RetrySettings settings, std::uint64_t seed)
    : settings_(settings), random_(seed) {
  if (settings_.max < settings_.min) settings_.max = settings_.min;
}

std::chrono::milliseconds RetryPolicy::backoff(int attempts) {
  using std::chrono::milliseconds;
  const auto min = settings_.min.count();
  const auto max = settings_.max.count();
  long long base = std::max<long long>(min, 1);
  for (int i = 1; i < attempts && base < max; ++i) base *= 2;
  base = std::min<long long>(base, max);
  double factor;
  {
    std::lock_guard lock(mutex_);
    factor = std::uniform_real_distribution<double>(0.75, 1.25)(random_);
  }
  long long wait = static_cast<long long>(static_cast<double>(base) * factor);
  return milliseconds(std::clamp<long long>(wait, min, max));
}

RetryDecision RetryPolicy::afterTemporaryFailure(Micros createdAt, int attempts, Micros now,
                                                 const std::string& error) {
  const Micros deadline = createdAt + settings_.giveUpAfter.count() * 1000;
  if (now >= deadline) {
    return RetryDecision{RetryDecision::Kind::GiveUp, 0,
                         "gave up after " + formatDuration(settings_.giveUpAfter) + ": " + error};
  }
  Micros next = now + backoff(attempts).count() * 1000;
  return RetryDecision{RetryDecision::Kind::RetryAt, std::min(next, deadline), ""};
}

std::string formatDuration(std::chrono::milliseconds duration) {
  long long ms = duration.count();
  if (ms == 0) return "0s";
  struct Unit {
    long long size;
    const char* name;
  };
  static constexpr Unit units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
  std::string out;
  for (const auto& unit : units) {
    if (ms >= unit.size) {
      out += std::to_string(ms / unit.size) + unit.name;
      ms %= unit.size;
    }
  }
  return out;
}

}  // namespace hookhost::notify
