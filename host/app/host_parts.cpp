#include "app/host_parts.hpp"

#include <exception>

#include <Poco/Logger.h>

namespace hookhost::app {

void HostParts::add(std::string name, Step start, Step stop) {
  parts_.push_back(Part{std::move(name), std::move(start), std::move(stop)});
}

void HostParts::start() {
  try {
    for (; started_ < parts_.size(); ++started_) parts_[started_].start();
  } catch (...) {
    stop();
    throw;
  }
}

void HostParts::stop() {
  Poco::Logger& log = Poco::Logger::get("hookhost");
  for (; started_ > 0; --started_) {
    Part& part = parts_[started_ - 1];
    if (!part.stop) continue;
    try {
      part.stop();
    } catch (const std::exception& error) {
      log.error("stopping the %s failed: %s", part.name, std::string(error.what()));
    }
  }
}

}  // namespace hookhost::app
