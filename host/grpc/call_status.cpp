#include "grpc/call_status.hpp"

namespace hookhost::grpc {
namespace {

::grpc::StatusCode codeOf(ErrorKind kind) {
  using enum ::grpc::StatusCode;
  switch (kind) {
    case ErrorKind::BadRequest:
    case ErrorKind::Unprocessable:
    case ErrorKind::PayloadTooLarge:
      return INVALID_ARGUMENT;
    case ErrorKind::Unauthorized:
      return UNAUTHENTICATED;
    case ErrorKind::Forbidden:
      return PERMISSION_DENIED;
    case ErrorKind::NotFound:
      return NOT_FOUND;
    case ErrorKind::Conflict:
      return FAILED_PRECONDITION;
    case ErrorKind::QueueFull:
    case ErrorKind::StorageFull:
      return RESOURCE_EXHAUSTED;
    case ErrorKind::Unavailable:
      return UNAVAILABLE;
    case ErrorKind::Internal:
      return INTERNAL;
  }
  return INTERNAL;
}

}  // namespace

::grpc::Status statusOf(const Error& error) {
  return ::grpc::Status(codeOf(error.kind), error.message);
}

}  // namespace hookhost::grpc
