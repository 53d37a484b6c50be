#pragma once

#include "http/api_request.hpp"
#include "http/services.hpp"

namespace hookhost::http {

// DESIGN "Repair": re-run, replay, versions and rollback; only the handler's owner or an
// admin. Bound to their paths in route_table.cpp.
ApiReply rerunJob(const ApiRequest&, Services&);
ApiReply replayJobs(const ApiRequest&, Services&);
ApiReply listHandlerVersions(const ApiRequest&, Services&);
ApiReply rollbackHandler(const ApiRequest&, Services&);

}  // namespace hookhost::http
