#include "common/error.hpp"

namespace hookhost {

int httpStatusOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::BadRequest: return 400;
    case ErrorKind::Unauthorized: return 401;
    case ErrorKind::Forbidden: return 403;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::Conflict: return 409;
    case ErrorKind::PayloadTooLarge: return 413;
    case ErrorKind::Unprocessable: return 422;
    case ErrorKind::QueueFull: return 429;
    case ErrorKind::Unavailable: return 503;
    case ErrorKind::StorageFull: return 507;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

}  // namespace hookhost
