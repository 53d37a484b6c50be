#pragma once

#include <nlohmann/json.hpp>

namespace hookhost::apidocs {

/// The OpenAPI 3.0 description of the REST API (host/apidocs/openapi.json, embedded at
/// build time). Parsed once on first use; the reference stays valid for the process's
/// life and is safe to read from any thread. Served as GET /openapi.json.
const nlohmann::json& openApiSpec();

}  // namespace hookhost::apidocs
