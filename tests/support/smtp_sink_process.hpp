#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hookhost::testing {

/// tests/fixtures/smtp_sink.py (python3-aiosmtpd) as a child process: a real SMTP server on
/// 127.0.0.1 that stores each message it accepts in `maildir` (created if missing). It also
/// exits when this object, or the whole test, goes away: its stdin is a pipe that closes
/// with us.
class SmtpSinkProcess {
 public:
  /// Starts the sink with its command-line flags (`--log FILE`, `--port N`, `--rcpt-code
  /// 550`, ...). port() stays 0 when it does not report listening within 10 s.
  SmtpSinkProcess(const std::string& maildir, const std::vector<std::string>& flags);
  ~SmtpSinkProcess();
  SmtpSinkProcess(const SmtpSinkProcess&) = delete;
  SmtpSinkProcess& operator=(const SmtpSinkProcess&) = delete;

  std::uint16_t port() const { return port_; }
  /// SIGTERM, then waits for it: the port stops listening.
  void stop();

 private:
  pid_t pid_ = -1;
  int stdinFd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace hookhost::testing
