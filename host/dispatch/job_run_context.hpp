#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/event_service.hpp"
#include "dispatch/executor.hpp"
#include "storage/job_store.hpp"

namespace hookhost::dispatch {

/// The host side of one running attempt: progress goes to the job's history at once
/// (fenced by the attempt), emitted events and a defer request are kept until the attempt
/// completes, output is kept up to a cap. Thread-safe.
class JobRunContext final : public RunContext {
 public:
  JobRunContext(storage::JobStore& store, const EventService& events, const storage::ClaimedJob& job,
                std::size_t maxOutputBytes);

  void update(const nlohmann::json& data) override;
  void log(const std::string& line) override;
  Status emit(const EmittedEvent& event) override;
  Result<DeferTicket> defer(const nlohmann::json& data) override;

  std::vector<storage::NewEvent> takeEmitted();
  std::optional<std::string> deferTokenHash() const;
  std::string output() const;

 private:
  storage::JobStore& store_;
  const EventService& events_;
  const storage::ClaimedJob& job_;
  std::size_t maxOutputBytes_;
  mutable std::mutex mutex_;
  std::vector<storage::NewEvent> emitted_;
  std::optional<std::string> tokenHash_;
  std::string output_;
  bool outputTruncated_ = false;
};

}  // namespace hookhost::dispatch
