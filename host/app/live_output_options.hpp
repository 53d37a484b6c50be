#pragma once

#include "app/config.hpp"
#include "jobs/live_output.hpp"

namespace hookhost::app {

/// sandbox.output_max_bytes, http.max_followers and http.follow_timeout; a non-positive
/// value is a ConfigError naming the key.
jobs::LiveOutputOptions liveOutputOptions(const Config& config);

}  // namespace hookhost::app
