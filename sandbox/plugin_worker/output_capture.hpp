#pragma once

#include <mutex>
#include <string>
#include <thread>

#include "plugin_worker/protocol_channel.hpp"

namespace hookhost::sandbox {

/// Points the process's fd 1 and 2 at pipes and forwards what the plugin writes there as
/// {"type":"output","stream":"stdout|stderr","text":...} frames, so handler prints never mix
/// with the protocol stream. Construct after the protocol fds were duplicated away from 0/1.
class OutputCapture {
 public:
  explicit OutputCapture(ProtocolChannel& channel);
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  /// Forwards everything written so far (stdio buffers included) before returning, so a
  /// job's output frames precede its result frame.
  void flush();

 private:
  struct Stream {
    int readFd = -1;
    const char* name;
    std::string carry;  // an incomplete UTF-8 sequence held for the next chunk
  };

  void drain();
  void drainLocked(Stream& stream);
  void run();

  ProtocolChannel& channel_;
  Stream streams_[2] = {{-1, "stdout", {}}, {-1, "stderr", {}}};
  int wakeFds_[2] = {-1, -1};
  std::mutex drainMutex_;
  std::thread thread_;
};

}  // namespace hookhost::sandbox
