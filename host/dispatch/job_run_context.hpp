#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/event_service.hpp"
#include "dispatch/executor.hpp"
#include "jobs/live_output.hpp"
#include "storage/job_store.hpp"

namespace hookhost::dispatch {

/// The host side of one running attempt: progress goes to the job's history at once
/// (fenced by the attempt), emitted events and a defer request are kept until the attempt
/// completes, output lines go to the attempt's LiveOutput (bounded: its last bytes), where
/// followers read them as they come. Thread-safe.
class JobRunContext final : public RunContext {
 public:
  JobRunContext(storage::JobStore& store, const EventService& events, const storage::ClaimedJob& job,
                std::shared_ptr<jobs::LiveOutput> output);

  void update(const nlohmann::json& data) override;
  void log(const std::string& line) override;
  void output(const std::string& stream, const std::string& line) override;
  Status emit(const EmittedEvent& event) override;
  Result<DeferTicket> defer(const nlohmann::json& data) override;

  std::vector<storage::NewEvent> takeEmitted();
  std::optional<std::string> deferTokenHash() const;
  std::string output() const;

 private:
  storage::JobStore& store_;
  const EventService& events_;
  const storage::ClaimedJob& job_;
  std::shared_ptr<jobs::LiveOutput> output_;
  mutable std::mutex mutex_;
  std::vector<storage::NewEvent> emitted_;
  std::optional<std::string> tokenHash_;
};

}  // namespace hookhost::dispatch
