#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "smtp_sink_process.hpp"

namespace hookhost::notify::testing {

/// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// The SMTP sink (tests/support/smtp_sink_process.hpp) with what it stored and logged.
class SmtpSink {
 public:
  /// Starts the sink storing into `maildir`, with extra command-line flags. Fails the
  /// calling test (ADD_FAILURE) and leaves port() 0 when it does not come up in 10 s.
  SmtpSink(std::string maildir, std::vector<std::string> flags = {},
           std::string logFile = "");

  std::uint16_t port() const { return process_.port(); }
  /// Stops the server (SIGTERM, then waits for it); the port stops listening.
  void stop() { process_.stop(); }

  /// The stored .eml files, sorted by arrival.
  std::vector<std::string> messageFiles() const;
  /// The JSON lines of the log file (empty without one).
  std::vector<nlohmann::json> events() const;

 private:
  std::string maildir_;
  std::string logFile_;
  hookhost::testing::SmtpSinkProcess process_;
};

/// Parses an .eml file with Python's email package (an independent MIME implementation):
/// {"headers": {name: decoded value}, "header_counts": {...}, "subject", "body" (decoded
/// text), "content_type", "charset", "cte", "crlf_only", "max_line", "defects": [...]}.
nlohmann::json parseEml(const std::string& path);

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns the last value.
template <typename Condition>
bool waitFor(Condition condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    struct timespec pause {0, 10'000'000};
    nanosleep(&pause, nullptr);
  }
}

std::string readFile(const std::string& path);

}  // namespace hookhost::notify::testing
