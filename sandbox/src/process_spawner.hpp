#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.hpp"
#include "sandbox/src/sandboxed_process.hpp"

namespace hookhost::sandbox {

/// A long-lived thread that performs every fork of sandboxed processes. bwrap's
/// --die-with-parent (PR_SET_PDEATHSIG) fires when the forking *thread* exits, so workers
/// must not be forked by dispatcher threads that may end before them. Only the fork/exec
/// runs here (milliseconds); the load handshake stays on the caller's thread.
/// Thread-safe; the destructor finishes queued launches, then joins.
class ProcessSpawner {
 public:
  ProcessSpawner();
  ~ProcessSpawner();
  ProcessSpawner(const ProcessSpawner&) = delete;
  ProcessSpawner& operator=(const ProcessSpawner&) = delete;

  /// Launches on the spawner thread and waits for it.
  Result<std::unique_ptr<SandboxedProcess>> launch(const SandboxOptions& options,
                                                   const SandboxIdentity& identity,
                                                   const LaunchSpec& spec);

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookhost::sandbox
