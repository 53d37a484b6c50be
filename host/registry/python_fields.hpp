#pragma once

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "storage/records.hpp"

namespace hookhost::registry {

/// Reads a python registration's optional `python_version` ("3.11", or "3.11.4": kept as
/// "3.11") and `dill_version` (checked, not stored: the load check is what tells whether the
/// host's dill reads the pickle) into `spec`. Unprocessable "invalid_python_version" /
/// "invalid_dill_version" for anything else.
Status parsePythonFields(const nlohmann::json& body, storage::HandlerSpec& spec);

}  // namespace hookhost::registry
