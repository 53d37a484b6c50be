#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "eventprocapi.pb.h"
#include "storage/records.hpp"

namespace hookhost::grpc {

/// A btrdbextras Registration as the body of `POST /v1/handlers` (a python handler whose
/// `code` is the base64 of the raw `blob`), so it goes through the REST path's validation
/// and load check. An empty blob, or one whose base64 would pass `maxCodeBytes`, is refused
/// here (Unprocessable, invalid_blob) in the blob's own terms. `dependencies`, `user` and
/// `api_key` are not carried: the caller is who the call's metadata says, and handlers run
/// with the host's Python packages.
Result<nlohmann::json> registrationBody(const eventprocapi::Registration& registration, std::size_t maxCodeBytes);

/// A stored handler as btrdbextras shows it: times in Unix nanoseconds, tags in `tag`, and
/// `callable` naming a plugin handler ("<plugin>/<handler>"); never the pickle.
void fillHandler(const storage::Handler& handler, eventprocapi::Handler& out);

}  // namespace hookhost::grpc
