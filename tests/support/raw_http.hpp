#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace hookhost::testing {

/// A TCP connection to a loopback server, opened from a chosen loopback source address so a
/// test can play a second client (127.0.0.2) beside itself. Closed at destruction.
class RawConnection {
 public:
  RawConnection(int port, const std::string& from = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Sends all of `bytes` unless the peer resets or closes first; false then.
  bool send(const std::string& bytes);
  /// Reads until one whole HTTP response (by its Content-Length) arrived, the peer closed
  /// or `within` passed. What arrived, however little.
  std::string receiveResponse(std::chrono::milliseconds within);

 private:
  int fd_ = -1;
};

struct RawReply {
  int status = 0;              // 0: no status line arrived
  std::string head;            // status line and headers
  nlohmann::json body;         // null when the body was not JSON
  std::string raw;
};
RawReply parseRawReply(const std::string& bytes);

/// Sends `bytes` as they are on a fresh connection, then reads the answer.
RawReply rawExchange(int port, const std::string& bytes,
                     std::chrono::milliseconds within = std::chrono::milliseconds(15000));

/// A field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"); -1 when unreadable.
long procStatusKib(pid_t pid, const std::string& field);

}  // namespace hookhost::testing
