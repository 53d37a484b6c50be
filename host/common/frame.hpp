#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost {

/// The framed protocol between the host and its worker processes (DESIGN.md, "Run"):
/// each message is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
/// Both sides refuse frames over a cap instead of allocating what a peer claims.
inline constexpr std::size_t kDefaultMaxFrameBytes = 64u << 20;

std::string encodeFrame(const nlohmann::json& message);

/// Blocking write of one frame to a file descriptor; retries on EINTR and short writes.
Status writeFrame(int fd, const nlohmann::json& message);

/// Blocking read of one frame. Errors (as values): "closed" when the peer closed before a
/// frame began, "truncated", "too_large", "malformed" (not JSON or not an object).
Result<nlohmann::json> readFrame(int fd, std::size_t maxBytes = kDefaultMaxFrameBytes);

}  // namespace hookhost
