#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace hookhost::testing {

/// A fresh temporary directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct HttpReply {
  int status = 0;
  nlohmann::json body;  // null when the body was not JSON
  std::string raw;
  std::string contentType;
};

/// The path of the built `hookhost` binary.
std::filesystem::path hookhostBinary();

/// Speaks HTTP to a host on loopback. One connection per request, so a test can interleave
/// requests from many threads.
HttpReply httpRequest(int port, const std::string& method, const std::string& path, const std::string& body = "",
                      const std::string& apiKey = "", const std::map<std::string, std::string>& headers = {});
inline HttpReply httpJson(int port, const std::string& method, const std::string& path, const nlohmann::json& body,
                          const std::string& apiKey) {
  return httpRequest(port, method, path, body.dump(), apiKey);
}

/// The real `hookhost` binary as a child process, on an ephemeral loopback port, with its
/// own data directory. Stopped (SIGTERM, then SIGKILL after a bound) at destruction.
class HostProcess {
 public:
  /// `environment` adds or overrides HOOKHOST_* variables; data.dir is `dataDir`.
  HostProcess(std::filesystem::path dataDir, std::map<std::string, std::string> environment = {});
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  /// Starts the host and waits (bounded) for its "listening on" line. False when it exited
  /// or did not listen in time; log() then says why.
  bool start(std::chrono::seconds within = std::chrono::seconds(30));
  /// SIGTERM, then waits for the exit status (SIGKILL after `within`). Returns the exit code,
  /// or 128 + signal.
  int stop(std::chrono::seconds within = std::chrono::seconds(40));
  /// SIGKILL: a crash.
  void kill();
  /// Waits (bounded) for the host to exit by itself; true once it is not running (also
  /// when start() already saw it exit).
  bool waitForExit(std::chrono::milliseconds within);
  bool running() const { return pid_ > 0; }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string log() const;    // what the host wrote to stderr
  std::string output() const; // what it wrote to stdout

  /// `hookhost user add` against this host's data directory; returns the printed key.
  std::string addUser(const std::string& name, const std::string& role);
  /// Runs a `hookhost` subcommand with this host's environment; returns the exit code.
  int runCommand(const std::vector<std::string>& arguments, std::string* out = nullptr, std::string* err = nullptr);

  HttpReply request(const std::string& method, const std::string& path, const nlohmann::json& body,
                    const std::string& apiKey) {
    return httpRequest(port_, method, path, body.is_null() ? "" : body.dump(), apiKey);
  }
  HttpReply get(const std::string& path, const std::string& apiKey) { return httpRequest(port_, "GET", path, "", apiKey); }

  const std::filesystem::path& dataDir() const { return dataDir_; }
  /// Runs this binary instead of hookhostBinary() (a copy of the install layout elsewhere).
  void setBinary(std::filesystem::path binary) { binary_ = std::move(binary); }
  /// Passes `--config FILE` to `serve` and to every command.
  void setConfigFile(std::filesystem::path file) { configFile_ = std::move(file); }

 private:
  std::vector<std::string> environmentBlock() const;

  std::filesystem::path dataDir_;
  std::map<std::string, std::string> environment_;
  std::optional<std::filesystem::path> configFile_;
  std::filesystem::path binary_ = hookhostBinary();
  pid_t pid_ = -1;
  int port_ = 0;
  int launches_ = 0;
};

/// Polls `condition` every few milliseconds until it holds or `within` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within);

}  // namespace hookhost::testing
