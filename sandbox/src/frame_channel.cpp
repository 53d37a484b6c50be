#include "sandbox/src/frame_channel.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/frame.hpp"
#include "common/bounded_json.hpp"

namespace hookhost::sandbox {
namespace {

constexpr std::size_t kStderrTailBytes = 4096;

int millisUntil(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  // Round up so a wait never ends a hair before its deadline and spins.
  return static_cast<int>(std::min<long long>(left.count() + 1, 1'000'000));
}

Error channelError(const char* code, std::string message) {
  return makeError(ErrorKind::Internal, code, std::move(message));
}

}  // namespace

FrameChannel::FrameChannel(int toWorker, int fromWorker, int workerStderr,
                           std::size_t maxFrameBytes)
    : toWorker_(toWorker),
      fromWorker_(fromWorker),
      stderr_(workerStderr),
      maxFrameBytes_(maxFrameBytes) {}

Status FrameChannel::send(const nlohmann::json& message, Deadline deadline) {
  const std::string frame = encodeFrame(message);
  std::size_t done = 0;
  while (done < frame.size()) {
    ssize_t put = ::write(toWorker_, frame.data() + done, frame.size() - done);
    if (put > 0) {
      done += static_cast<std::size_t>(put);
      continue;
    }
    if (put < 0 && errno == EINTR) continue;
    if (put < 0 && errno == EPIPE) return channelError("closed", "the worker closed its input");
    if (put < 0 && errno != EAGAIN) return channelError("write_failed", std::strerror(errno));
    // Full pipe: wait for room, keeping stderr drained so the worker is never stuck on it.
    pollfd fds[2] = {{toWorker_, POLLOUT, 0}, {stderrOpen_ ? stderr_ : -1, POLLIN, 0}};
    int timeout = millisUntil(deadline);
    if (timeout == 0) return channelError("timeout", "timed out writing to the worker");
    if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
      return channelError("write_failed", std::strerror(errno));
    }
    if (fds[1].revents) drainStderr();
    if (fds[0].revents & (POLLERR | POLLHUP)) {
      return channelError("closed", "the worker closed its input");
    }
  }
  return Ok{};
}

std::optional<Result<nlohmann::json>> FrameChannel::takeFrame() {
  if (inbox_.size() < 4) return std::nullopt;
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(
                                       static_cast<unsigned char>(inbox_[i])); };
  std::uint32_t length = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
  if (length > maxFrameBytes_) {
    return Result<nlohmann::json>(channelError(
        "too_large", "the worker sent a frame of " + std::to_string(length) +
                         " bytes, over the cap of " + std::to_string(maxFrameBytes_)));
  }
  if (inbox_.size() < 4 + static_cast<std::size_t>(length)) return std::nullopt;
  auto message = parseBoundedJson(std::string_view(inbox_).substr(4, length));
  inbox_.erase(0, 4 + static_cast<std::size_t>(length));
  if (!message) {
    // A worker is untrusted: a frame nested past the bound fails its job instead of the host.
    const bool tooDeep = message.error().code == "too_deep";
    return Result<nlohmann::json>(channelError(
        tooDeep ? "too_deep" : "malformed",
        tooDeep ? "the worker sent a frame nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"
                : "the worker sent a frame that is not a JSON object"));
  }
  if (!message->is_object()) {
    return Result<nlohmann::json>(
        channelError("malformed", "the worker sent a frame that is not a JSON object"));
  }
  return Result<nlohmann::json>(std::move(message).value());
}

Result<nlohmann::json> FrameChannel::receive(Deadline deadline) {
  char buffer[65536];
  while (true) {
    if (auto frame = takeFrame()) return std::move(*frame);
    ssize_t got = ::read(fromWorker_, buffer, sizeof buffer);
    if (got > 0) {
      inbox_.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) {
      drainStderr();
      if (inbox_.empty()) return channelError("closed", "the worker closed its output");
      return channelError("truncated", "the worker's output ended inside a frame");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return channelError("closed", std::strerror(errno));
    int timeout = millisUntil(deadline);
    if (timeout == 0) return channelError("timeout", "timed out waiting for the worker");
    pollfd fds[2] = {{fromWorker_, POLLIN, 0}, {stderrOpen_ ? stderr_ : -1, POLLIN, 0}};
    if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
      return channelError("closed", std::strerror(errno));
    }
    if (fds[1].revents) drainStderr();
  }
}

bool FrameChannel::hasUnsolicitedInput() {
  if (!inbox_.empty()) return true;
  pollfd watch{fromWorker_, POLLIN, 0};
  return ::poll(&watch, 1, 0) > 0 && watch.revents != 0;
}

void FrameChannel::drainStderr() {
  char buffer[4096];
  while (stderrOpen_) {
    ssize_t got = ::read(stderr_, buffer, sizeof buffer);
    if (got > 0) {
      stderrTail_.append(buffer, static_cast<std::size_t>(got));
      if (stderrTail_.size() > kStderrTailBytes) {
        stderrTail_.erase(0, stderrTail_.size() - kStderrTailBytes);
      }
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) stderrOpen_ = false;  // closed: stop polling it
    return;
  }
}

std::string FrameChannel::stderrTail() {
  drainStderr();
  return stderrTail_;
}

}  // namespace hookhost::sandbox
