#pragma once
// Small helpers the dispatcher's files share.

#include <chrono>

#include <Poco/Logger.h>

#include "common/clock.hpp"

namespace hookhost::dispatch {

inline Micros micros(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

inline Poco::Logger& logger() { return Poco::Logger::get("hookhost.dispatch"); }

}  // namespace hookhost::dispatch
