#include "common/frame.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <unistd.h>

#include "common/bounded_json.hpp"
namespace hookhost {
namespace {

// Reads exactly n bytes; returns the count read before EOF (less than n on EOF), -1 on error.
ssize_t readFully(int fd, char* into, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = ::read(fd, into + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

std::string encodeFrame(const nlohmann::json& message) {
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto length = static_cast<std::uint32_t>(body.size());
  std::string frame(4, '\0');
  frame[0] = static_cast<char>((length >> 24) & 0xff);
  frame[1] = static_cast<char>((length >> 16) & 0xff);
  frame[2] = static_cast<char>((length >> 8) & 0xff);
  frame[3] = static_cast<char>(length & 0xff);
  frame += body;
  return frame;
}

Status writeFrame(int fd, const nlohmann::json& message) {
  std::string frame = encodeFrame(message);
  std::size_t done = 0;
  while (done < frame.size()) {
    ssize_t put = ::write(fd, frame.data() + done, frame.size() - done);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return makeError(ErrorKind::Internal, "write_failed", std::strerror(errno));
    done += static_cast<std::size_t>(put);
  }
  return Ok{};
}

Result<nlohmann::json> readFrame(int fd, std::size_t maxBytes) {
  unsigned char header[4];
  ssize_t got = readFully(fd, reinterpret_cast<char*>(header), 4);
  if (got == 0) return makeError(ErrorKind::Internal, "closed", "the worker closed its pipe");
  if (got != 4) return makeError(ErrorKind::Internal, "truncated", "frame header cut short");
  std::uint32_t length = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                         (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
  if (length > maxBytes) {
    return makeError(ErrorKind::Internal, "too_large",
                     "frame of " + std::to_string(length) + " bytes exceeds the cap of " +
                         std::to_string(maxBytes));
  }
  std::string body(length, '\0');
  if (readFully(fd, body.data(), length) != static_cast<ssize_t>(length)) {
    return makeError(ErrorKind::Internal, "truncated", "frame body cut short");
  }
  auto message = parseBoundedJson(body);
  if (!message) {
    const bool tooDeep = message.error().code == "too_deep";
    return makeError(ErrorKind::Internal, tooDeep ? "too_deep" : "malformed",
                     tooDeep ? "frame: " + message.error().message : "frame is not a JSON object");
  }
  if (!message->is_object()) return makeError(ErrorKind::Internal, "malformed", "frame is not a JSON object");
  return std::move(message).value();
}

}  // namespace hookhost
