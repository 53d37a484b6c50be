#pragma once

namespace hookhost::app {

/// Log lines go to stderr as `<time> <level> <source>: <text>`.
void configureLogging();

}  // namespace hookhost::app
