#pragma once

#include <grpcpp/support/status.h>

#include "common/error.hpp"

namespace hookhost::grpc {

/// The gRPC status of an expected failure: the REST error's kind as a gRPC code
/// (Unauthorized → UNAUTHENTICATED, Forbidden → PERMISSION_DENIED, NotFound → NOT_FOUND,
/// malformed or invalid input → INVALID_ARGUMENT, …) with its message as REST words it.
::grpc::Status statusOf(const Error& error);

}  // namespace hookhost::grpc
