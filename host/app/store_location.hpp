#pragma once

#include <memory>

#include "app/config.hpp"
#include "storage/store.hpp"

namespace hookhost::app {

/// Opens the store `data.url` names (default: SQLite in `data.dir`). Throws ConfigError for
/// a URL this build cannot open, SchemaError for a database from a newer hookhost.
std::unique_ptr<storage::Store> openStore(const Config& config);

}  // namespace hookhost::app
