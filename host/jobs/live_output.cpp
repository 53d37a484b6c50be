#include "jobs/live_output.hpp"

namespace hookhost::jobs {

void LiveOutput::append(std::string line) {
  {
    std::lock_guard lock(mutex_);
    tail_.append(std::move(line));
  }
  changed_.notify_all();
}

void LiveOutput::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

LiveOutput::Read LiveOutput::waitFrom(std::uint64_t from, std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, until, [&] { return closed_ || tail_.nextSequence() > from; });
  return {tail_.from(from), closed_};
}

std::string LiveOutput::text() const {
  std::lock_guard lock(mutex_);
  return tail_.text();
}

std::shared_ptr<LiveOutput> LiveOutputs::open(std::int64_t jobId, int attempt) {
  auto output = std::make_shared<LiveOutput>(options_.maxBytes, attempt);
  {
    std::lock_guard lock(mutex_);
    running_[jobId] = output;
    ++generation_;
  }
  news_.notify_all();
  return output;
}

void LiveOutputs::jobsChanged() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  news_.notify_all();
}

void LiveOutputs::close(std::int64_t jobId, const std::shared_ptr<LiveOutput>& output) {
  {
    std::lock_guard lock(mutex_);
    auto found = running_.find(jobId);
    if (found != running_.end() && found->second == output) running_.erase(found);
  }
  output->close();
}

std::shared_ptr<LiveOutput> LiveOutputs::find(std::int64_t jobId) const {
  std::lock_guard lock(mutex_);
  auto found = running_.find(jobId);
  return found == running_.end() ? nullptr : found->second;
}

std::shared_ptr<LiveOutput> LiveOutputs::waitForNews(std::int64_t jobId, std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  const std::uint64_t seen = generation_;
  news_.wait_until(lock, until, [&] { return generation_ != seen || running_.count(jobId) > 0; });
  auto found = running_.find(jobId);
  return found == running_.end() ? nullptr : found->second;
}

std::size_t LiveOutputs::running() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

std::optional<LiveOutputs::FollowerSlot> LiveOutputs::admitFollower() {
  std::size_t now = followers_.load();
  do {
    if (now >= options_.maxFollowers) return std::nullopt;
  } while (!followers_.compare_exchange_weak(now, now + 1));
  return FollowerSlot(followers_);
}

}  // namespace hookhost::jobs
