#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/output_tail.hpp"

namespace hookhost::jobs {

/// The output of one running attempt as it is written (DESIGN.md, "Live output"): the
/// attempt appends lines, followers read them from a sequence number on and wait for more.
/// Bounded by its OutputTail, whatever the handler prints. Thread-safe.
class LiveOutput {
 public:
  LiveOutput(std::size_t maxBytes, int attempt) : attempt_(attempt), tail_(maxBytes) {}

  int attempt() const { return attempt_; }

  void append(std::string line);
  /// The attempt ended: followers waiting get what is left and `closed`.
  void close();

  struct Read {
    OutputTail::Slice slice;
    bool closed = false;
  };
  /// Lines from `from` on; waits until there is one, the attempt ended, or `until`.
  Read waitFrom(std::uint64_t from, std::chrono::steady_clock::time_point until);
  /// The kept text (with the cut marker when the start was dropped).
  std::string text() const;

 private:
  const int attempt_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  OutputTail tail_;
  bool closed_ = false;
};

struct LiveOutputOptions {
  std::size_t maxBytes = 1u << 20;  // sandbox.output_max_bytes
  /// Followers (GET /v1/jobs/{id}/output?follow=1) at once on this host, over all jobs;
  /// each holds one HTTP server thread while it follows (http.max_followers).
  std::size_t maxFollowers = 16;
  /// Longest one follower is served before it gets `event: end` (http.follow_timeout).
  std::chrono::milliseconds followTimeout{600'000};
};

/// The live outputs of the attempts running on this host, by job id, and the count of
/// followers. An attempt's entry is removed when the attempt ends; followers that still hold
/// it finish reading and let go, so nothing of a job outlives its last reader. Thread-safe.
class LiveOutputs {
 public:
  explicit LiveOutputs(LiveOutputOptions options) : options_(options) {}

  const LiveOutputOptions& options() const { return options_; }

  /// Attempt `attempt` of `jobId` starts writing.
  std::shared_ptr<LiveOutput> open(std::int64_t jobId, int attempt);
  /// The attempt that `output` belongs to ended (after its end was recorded).
  void close(std::int64_t jobId, const std::shared_ptr<LiveOutput>& output);
  /// The running attempt's output, or null when none of `jobId` runs here.
  std::shared_ptr<LiveOutput> find(std::int64_t jobId) const;
  /// Some job changed state (the lifecycle committed a transition): wakes waitForNews.
  void jobsChanged();
  /// Waits until an attempt of `jobId` opens here, jobsChanged() is called, or `until`;
  /// returns find(jobId).
  std::shared_ptr<LiveOutput> waitForNews(std::int64_t jobId, std::chrono::steady_clock::time_point until);
  std::size_t running() const;

  /// Held by a follower while it is served; released on destruction.
  class FollowerSlot {
   public:
    explicit FollowerSlot(std::atomic<std::size_t>& count) : count_(&count) {}
    FollowerSlot(FollowerSlot&& other) noexcept : count_(other.count_) { other.count_ = nullptr; }
    FollowerSlot(const FollowerSlot&) = delete;
    FollowerSlot& operator=(const FollowerSlot&) = delete;
    FollowerSlot& operator=(FollowerSlot&&) = delete;
    ~FollowerSlot() {
      if (count_) count_->fetch_sub(1);
    }

   private:
    std::atomic<std::size_t>* count_;
  };
  /// A slot, or nothing when maxFollowers are being served.
  std::optional<FollowerSlot> admitFollower();
  std::size_t followers() const { return followers_.load(); }

 private:
  LiveOutputOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable news_;
  std::uint64_t generation_ = 0;  // counts opens and jobsChanged() calls
  std::map<std::int64_t, std::shared_ptr<LiveOutput>> running_;
  std::atomic<std::size_t> followers_{0};
};

}  // namespace hookhost::jobs
