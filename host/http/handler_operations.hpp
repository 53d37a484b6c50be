#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "http/services.hpp"
#include "storage/handler_store.hpp"
#include "storage/records.hpp"

namespace hookhost::http {

/// Registers (or replaces) the handler a `POST /v1/handlers` body describes, as `caller`:
/// the registry's validation, the registration check (python load check), the store's
/// replace-by-(hook, name) rule, then the retirement of a replaced version's warm workers.
/// Every front end (REST, the btrdbextras gRPC service) registers through this one path.
Result<storage::HandlerStore::Registration> registerHandlerAs(const nlohmann::json& body, const storage::User& caller,
                                                              Services& services);

/// Deregisters handler `id` as `caller` (owner or admin only; NotFound for an unknown id)
/// and retires its warm workers.
Status deregisterHandlerAs(std::int64_t id, const storage::User& caller, Services& services);

}  // namespace hookhost::http
