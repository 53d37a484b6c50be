#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost::sandbox {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

/// The host side of the framed worker protocol (common/frame.hpp) over non-blocking pipes,
/// with deadlines: the blocking readFrame/writeFrame cannot be interrupted when a worker
/// stops reading or writing. Also drains the worker's stderr (bwrap and interpreter errors
/// before the runner captures fd 2) into a short tail kept for error messages, so a chatty
/// stderr never blocks the worker. Does not own the descriptors. Not thread-safe.
class FrameChannel {
 public:
  FrameChannel(int toWorker, int fromWorker, int workerStderr, std::size_t maxFrameBytes);

  /// Errors (code): "timeout", "closed" (the worker stopped reading), "write_failed".
  Status send(const nlohmann::json& message, Deadline deadline);

  /// The next complete frame. Errors (code): "timeout", "closed" (EOF before a frame began),
  /// "truncated" (EOF inside a frame), "too_large", "malformed" (not a JSON object).
  Result<nlohmann::json> receive(Deadline deadline);

  /// True when the worker has written something (or closed its end) that nobody asked for:
  /// an idle worker must be silent.
  bool hasUnsolicitedInput();

  /// The last few KiB the worker wrote to stderr.
  std::string stderrTail();

 private:
  void drainStderr();
  std::optional<Result<nlohmann::json>> takeFrame();

  int toWorker_;
  int fromWorker_;
  int stderr_;
  std::size_t maxFrameBytes_;
  std::string inbox_;
  std::string stderrTail_;
  bool stderrOpen_ = true;
};

}  // namespace hookhost::sandbox
