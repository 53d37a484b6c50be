#pragma once

#include <mutex>

#include <nlohmann/json.hpp>

#include "common/frame.hpp"
#include "common/result.hpp"

namespace hookhost::sandbox {

/// The worker's end of the framed protocol: frames in on one fd, out on another. send() is
/// thread-safe (the output drain and the plugin's threads share it); receive() is called by
/// one thread at a time (the main loop, or a plugin call waiting for its reply, never both).
class ProtocolChannel {
 public:
  ProtocolChannel(int inFd, int outFd) : inFd_(inFd), outFd_(outFd) {}

  Status send(const nlohmann::json& message);
  Result<nlohmann::json> receive();

  /// Sends `request` and returns the next frame, which must have type `replyType`.
  /// Serialises concurrent requests so each gets its own reply.
  Result<nlohmann::json> request(const nlohmann::json& message, const char* replyType);

 private:
  int inFd_;
  int outFd_;
  std::mutex sendMutex_;
  std::mutex requestMutex_;
};

}  // namespace hookhost::sandbox
