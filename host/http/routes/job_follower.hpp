#pragma once

#include <chrono>
#include <cstdint>

#include "http/event_stream.hpp"
#include "http/services.hpp"

namespace hookhost::http {

/// Serves one follower of a job's output (GET /v1/jobs/{id}/output?follow=1) on the server
/// thread that took its request: what the running attempt kept, its lines as they come, the
/// lines of later attempts (a retry), the stored output when the attempt ran elsewhere or
/// ended before the follower came, then `event: end` with {"state"} once the job is no
/// longer QUEUED or RUNNING. Bounded: ends at the follow timeout (`end` then carries
/// "timed_out": true), at shutdown, and within about a second of the client leaving.
class JobFollower {
 public:
  JobFollower(Services& services, jobs::LiveOutputs& outputs, std::int64_t jobId, EventStream& events);
  void run();

 private:
  using Clock = std::chrono::steady_clock;
  // Followed `live` to its end; false when the follower must stop (client gone, timeout).
  bool followAttempt(jobs::LiveOutput& live);
  bool sendStored(const std::string& output);
  void sendEnd(const char* state, bool timedOut);
  bool mustStop() const;
  // The slice a wait may take: short enough to notice a client that left, or the deadline.
  Clock::time_point nextWake() const;

  Services& services_;
  jobs::LiveOutputs& outputs_;
  const std::int64_t jobId_;
  EventStream& events_;
  const Clock::time_point deadline_;
};

}  // namespace hookhost::http
