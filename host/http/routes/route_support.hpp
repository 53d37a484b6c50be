#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "http/api_request.hpp"
#include "common/result.hpp"
#include "http/error_reply.hpp"
#include "storage/job_store.hpp"
#include "storage/records.hpp"

namespace hookhost::http {

/// A positive integer id from a path segment or query value.
std::optional<std::int64_t> parseId(const std::string& text);

ApiReply notFound(const std::string& what, const std::string& id);

/// Admins read every job; others the jobs of their own handlers and of events they fired.
bool maySeeJob(const storage::User& user, const storage::Job& job, storage::JobStore& store);

/// Whose handlers' jobs a listing (GET /v1/jobs, GET /v1/stats) shows `user`: nobody's in
/// particular (every job) for an admin, else their own.
std::optional<std::int64_t> listingOwner(const storage::User& user);

/// 404 unknown_hook for a query or body naming a hook the catalog lacks.
Error unknownHook(const std::string& hook);

/// The job the request's first path segment names, if the caller may see it (maySeeJob);
/// else 404 or 403 as an error.
Result<storage::Job> visibleJob(const ApiRequest& request, storage::JobStore& store);

}  // namespace hookhost::http
