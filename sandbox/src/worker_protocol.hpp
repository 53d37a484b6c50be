#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"

namespace hookhost::sandbox {

/// The `run` message of the worker protocol for one attempt:
/// {"type":"run","job":{"job_id","event_id","hook","user","attempt","handler","handler_id",
/// "handler_version"},"config":{the registration's config},"payload":{...}}. Shared by every
/// runtime that uses WorkerPool (the python runner and the native plugin worker).
nlohmann::json runMessageFor(const dispatch::RunRequest& request);

/// Standard base64 (RFC 4648, with padding), used for the pickle in the python `load`.
std::string base64Encode(std::string_view bytes);

}  // namespace hookhost::sandbox
