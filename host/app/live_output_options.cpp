#include "app/live_output_options.hpp"

namespace hookhost::app {

jobs::LiveOutputOptions liveOutputOptions(const Config& config) {
  auto positive = [&](const char* key) {
    auto value = config.integer(key);
    if (value <= 0) throw ConfigError(std::string("'") + key + "' must be a positive number, got " + std::to_string(value));
    return static_cast<std::size_t>(value);
  };
  jobs::LiveOutputOptions options;
  options.maxBytes = positive("sandbox.output_max_bytes");
  options.maxFollowers = positive("http.max_followers");
  options.followTimeout = config.duration("http.follow_timeout");
  if (options.followTimeout.count() <= 0) throw ConfigError("'http.follow_timeout' must be a positive duration");
  return options;
}

}  // namespace hookhost::app
