#pragma once

#include "common/error.hpp"
#include "http/api_request.hpp"

namespace hookhost::http {

/// `{"error": {"code", "message"}}` with the status of the error's kind.
ApiReply errorReply(const Error& error);
ApiReply errorReply(ErrorKind kind, const std::string& code, const std::string& message);

}  // namespace hookhost::http
