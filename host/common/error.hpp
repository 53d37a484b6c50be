#pragma once

#include <string>

namespace hookhost {

/// The kinds of expected failure. Each maps to one HTTP status at the edge (http/error_reply).
enum class ErrorKind {
  BadRequest,       // 400: malformed input
  Unauthorized,     // 401: no or bad key
  Forbidden,        // 403: not yours, or a role that may not act
  NotFound,         // 404
  Conflict,         // 409
  PayloadTooLarge,  // 413
  Unprocessable,    // 422: valid JSON that fails the schema or a rule
  QueueFull,        // 429
  Unavailable,      // 503: shutting down or the store is unreachable
  StorageFull,      // 507: the store's disk is full; nothing was recorded
  Internal,         // 500: a bug; never expected
};

/// An expected failure as a value: a machine code (snake_case, stable for clients) and a
/// human message.
struct Error {
  ErrorKind kind;
  std::string code;
  std::string message;
};

int httpStatusOf(ErrorKind kind);

}  // namespace hookhost
