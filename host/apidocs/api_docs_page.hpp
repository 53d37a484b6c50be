#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hookhost::apidocs {

/// A self-contained HTML page (inline CSS, no script, nothing fetched from elsewhere) that
/// lists every operation of an OpenAPI 3.0 document with its parameters, request body and
/// responses, followed by the schemas. Pure function of `spec`; thread-safe. Served as
/// GET /apidocs (the caller may cache the result: the spec never changes at run time).
std::string renderApiDocsHtml(const nlohmann::json& spec);

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escapeHtml(std::string_view text);

}  // namespace hookhost::apidocs
