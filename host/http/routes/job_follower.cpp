#include "http/routes/job_follower.hpp"

#include <algorithm>

namespace hookhost::http {
namespace {

// How often an idle follower checks its client and the job: the cost of a follower that
// left, and the latest an `end` follows a commit made by another host.
constexpr std::chrono::milliseconds kWakeEvery{1000};

bool stillToRun(jobs::JobState state) { return state == jobs::JobState::Queued || state == jobs::JobState::Running; }

}  // namespace

JobFollower::JobFollower(Services& services, jobs::LiveOutputs& outputs, std::int64_t jobId, EventStream& events)
    : services_(services),
      outputs_(outputs),
      jobId_(jobId),
      events_(events),
      deadline_(Clock::now() + outputs.options().followTimeout) {}

bool JobFollower::mustStop() const { return services_.shuttingDown.load() || Clock::now() >= deadline_; }

JobFollower::Clock::time_point JobFollower::nextWake() const { return std::min(deadline_, Clock::now() + kWakeEvery); }

void JobFollower::run() {
  int streamedAttempt = 0;  // the last attempt whose lines this follower saw live
  auto live = outputs_.find(jobId_);
  for (;;) {
    if (live) {
      if (!followAttempt(*live)) break;
      streamedAttempt = live->attempt();
    }
    auto job = services_.jobs.getJob(jobId_);
    if (!job) return sendEnd("DELETED", false);  // pruned while followed
    if (!stillToRun(job->state)) {
      // An attempt followed live already sent these lines; one that ran elsewhere or
      // ended before this follower came did not.
      if (job->attempt != streamedAttempt && !sendStored(job->output.value_or(""))) return;
      return sendEnd(jobs::jobStateName(job->state), false);
    }
    if (mustStop()) break;
    // Queued (a retry to come), running on another host, or its end not committed yet.
    live = outputs_.waitForNews(jobId_, nextWake());
    if (live && live->attempt() == streamedAttempt) live = nullptr;  // the one already read
    if (events_.clientGone()) return;
    if (!live) {
      events_.addComment("waiting");
      if (!events_.flush()) return;
    }
  }
  if (events_.clientGone()) return;
  auto job = services_.jobs.getJob(jobId_);
  sendEnd(job ? jobs::jobStateName(job->state) : "DELETED", true);
}

bool JobFollower::followAttempt(jobs::LiveOutput& live) {
  std::uint64_t next = 0;
  for (;;) {
    auto read = live.waitFrom(next, nextWake());
    if (read.slice.skipped) events_.add("output", "[output cut: earlier lines are not kept]");
    for (const auto& line : read.slice.lines) events_.add("output", line);
    if (read.slice.lines.empty() && !read.closed) events_.addComment("running");
    next = read.slice.next;
    if (!events_.flush()) return false;
    if (read.closed) return true;
    if (mustStop() || events_.clientGone()) return false;
  }
}

bool JobFollower::sendStored(const std::string& output) {
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    events_.add("output", output.substr(start, end - start));
    start = end + 1;
  }
  return events_.flush();
}

void JobFollower::sendEnd(const char* state, bool timedOut) {
  nlohmann::json data = {{"state", state}};
  if (timedOut) data["timed_out"] = true;
  events_.add("end", data.dump());
  events_.flush();
}

}  // namespace hookhost::http
