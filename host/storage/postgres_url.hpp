#pragma once

#include <string>

#include "common/result.hpp"

namespace hookhost::storage {

/// Turns `postgresql://user:password@host:port/database?option=value` (the form `data.url`
/// takes, as libpq documents it) into the `key=value` connection string Poco's PostgreSQL
/// connector accepts. Query options (sslmode, connect_timeout, …) are passed through;
/// connect_timeout is 10 s unless given.
Result<std::string> postgresConnectionString(const std::string& url);

/// The URL with its password replaced by `***`, for messages and logs.
std::string withoutPassword(const std::string& url);

}  // namespace hookhost::storage
