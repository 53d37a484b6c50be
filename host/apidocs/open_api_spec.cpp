#include "apidocs/open_api_spec.hpp"

namespace hookhost::apidocs {
namespace detail {
extern const char kOpenApiJson[];  // generated from openapi.json by CMake
}

const nlohmann::json& openApiSpec() {
  // The document is checked by tests/apidocs; a parse failure here is a build defect, so
  // it throws at the first request (start-up wiring may call this early to fail fast).
  static const nlohmann::json spec = nlohmann::json::parse(detail::kOpenApiJson);
  return spec;
}

}  // namespace hookhost::apidocs
