#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "http/api_request.hpp"
#include "http/error_reply.hpp"
#include "storage/records.hpp"

namespace hookhost::http {

/// A positive integer id from a path segment or query value.
std::optional<std::int64_t> parseId(const std::string& text);

ApiReply notFound(const std::string& what, const std::string& id);

}  // namespace hookhost::http
