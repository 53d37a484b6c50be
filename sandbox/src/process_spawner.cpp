#include "sandbox/src/process_spawner.hpp"

#include <exception>
#include <future>

namespace hookhost::sandbox {

ProcessSpawner::ProcessSpawner() : thread_([this] { loop(); }) {}

ProcessSpawner::~ProcessSpawner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<std::unique_ptr<SandboxedProcess>> ProcessSpawner::launch(
    const SandboxOptions& options, const SandboxIdentity& identity, const LaunchSpec& spec) {
  using Launched = Result<std::unique_ptr<SandboxedProcess>>;
  auto task = std::make_shared<std::packaged_task<Launched()>>(
      [&] { return SandboxedProcess::launch(options, identity, spec); });
  auto launched = task->get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return makeError(ErrorKind::Unavailable, "shutting_down", "the sandbox is shutting down");
    }
    queue_.emplace_back([task] { (*task)(); });
  }
  wake_.notify_one();
  try {
    return launched.get();
  } catch (const std::exception& e) {
    return makeError(ErrorKind::Internal, "spawn_failed", e.what());
  }
}

void ProcessSpawner::loop() {
  while (true) {
    std::function<void()> next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    next();
  }
}

}  // namespace hookhost::sandbox
