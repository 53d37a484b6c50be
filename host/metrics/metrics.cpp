#include "metrics/metrics.hpp"

#include <cstdio>
#include <tuple>

namespace hookhost::metrics {
namespace {

void renderCounter(std::string& out, const std::string& name, const std::string& help, const Counter& counter) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n";
  out += name + " " + std::to_string(counter.value()) + "\n";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      counts_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  total_.fetch_add(1, std::memory_order_relaxed);
  sumMicros_.fetch_add(static_cast<std::int64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& help) const {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    out += name + "_bucket{le=\"" + number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  std::int64_t total = total_.load(std::memory_order_relaxed);
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(total) + "\n";
  out += name + "_sum " + number(static_cast<double>(sumMicros_.load(std::memory_order_relaxed)) / 1e6) + "\n";
  out += name + "_count " + std::to_string(total) + "\n";
}

std::string HostMetrics::render() const {
  std::string out;
  if (jobsByState) {
    out += "# HELP hookhost_jobs Jobs by state.\n# TYPE hookhost_jobs gauge\n";
    for (const auto& [state, count] : jobsByState()) {
      out += "hookhost_jobs{state=\"" + state + "\"} " + std::to_string(count) + "\n";
    }
  }
  if (queueDepth) {
    out += "# HELP hookhost_queue_depth Jobs waiting to run.\n# TYPE hookhost_queue_depth gauge\n";
    out += "hookhost_queue_depth " + std::to_string(queueDepth()) + "\n";
  }
  if (sandboxWorkersStarted) {
    out += "# HELP hookhost_sandbox_workers_started_total Sandboxed workers started (cold starts).\n"
           "# TYPE hookhost_sandbox_workers_started_total counter\n";
    out += "hookhost_sandbox_workers_started_total " + std::to_string(sandboxWorkersStarted()) + "\n";
  }
  renderCounter(out, "hookhost_events_fired_total", "Events recorded.", eventsFired);
  renderCounter(out, "hookhost_jobs_started_total", "Job attempts started.", jobsStarted);
  renderCounter(out, "hookhost_jobs_retried_total", "Job attempts that failed and were queued again.", jobsRetried);
  renderCounter(out, "hookhost_jobs_rescued_total", "Jobs taken back from an expired lease.", jobsRescued);
  renderCounter(out, "hookhost_stale_completions_total", "Completions rejected as stale.", staleCompletions);
  renderCounter(out, "hookhost_pruned_jobs_total", "Jobs removed by retention, with their history.", prunedJobs);
  renderCounter(out, "hookhost_pruned_events_total", "Events removed by retention.", prunedEvents);
  renderCounter(out, "hookhost_pruned_notifications_total", "Settled notifications removed by retention.",
                prunedNotifications);
  renderCounter(out, "hookhost_pruned_mail_files_total", "Spooled .eml files removed by retention.", prunedMailFiles);
  if (notifications || webhookNotifications) {
    const NotificationCounts mail = notifications ? notifications() : NotificationCounts{};
    const NotificationCounts webhook = webhookNotifications ? webhookNotifications() : NotificationCounts{};
    for (auto [name, help, field] : {std::tuple{"sent", "delivered or spooled", &NotificationCounts::sent},
                                     std::tuple{"retried", "failed for now and scheduled again", &NotificationCounts::retried},
                                     std::tuple{"failed", "rejected for good or given up", &NotificationCounts::failed}}) {
      std::string metric = std::string("hookhost_notifications_") + name + "_total";
      out += "# HELP " + metric + " Notifications (emails, webhooks) " + help + ".\n# TYPE " + metric + " counter\n";
      out += metric + "{channel=\"mail\"} " + std::to_string(mail.*field) + "\n";
      out += metric + "{channel=\"webhook\"} " + std::to_string(webhook.*field) + "\n";
    }
  }
  fireToStart.render(out, "hookhost_fire_to_start_seconds", "Time from an event's fire to its job's start.");
  runTime.render(out, "hookhost_job_run_seconds", "Time a job attempt ran.");
  return out;
}

}  // namespace hookhost::metrics
