#pragma once

#include <functional>
#include <string>
#include <vector>

namespace hookhost::app {

/// The parts of a running host in their start order: start() starts each in the order it was
/// added, stop() stops the started ones in reverse, so a part only ever runs while the parts
/// it uses run. Poco's Util::Subsystem order, without the subsystem registry. Not
/// thread-safe: the main thread starts and stops the host.
class HostParts {
 public:
  using Step = std::function<void()>;

  /// `stop` may be empty for a part with nothing to stop.
  void add(std::string name, Step start, Step stop = {});

  /// Starts the parts in order. When one throws, the parts started before it are stopped
  /// (in reverse) and the exception goes on to the caller.
  void start();
  /// Stops every started part, the last started first. A part whose stop throws is logged;
  /// the others still stop. Calling it again does nothing.
  void stop();

 private:
  struct Part {
    std::string name;
    Step start;
    Step stop;
  };

  std::vector<Part> parts_;
  std::size_t started_ = 0;  // parts_[0, started_) are running
};

}  // namespace hookhost::app
