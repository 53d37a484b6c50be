#pragma once

#include <optional>

#include "http/api_request.hpp"
#include "http/services.hpp"

namespace hookhost::http {

// One function per REST operation of DESIGN.md; the table that binds them to methods and
// paths is apiRoutes() in route_table.cpp.
ApiReply getHealth(const ApiRequest&, Services&);
ApiReply getMetrics(const ApiRequest&, Services&);
ApiReply getOpenApi(const ApiRequest&, Services&);
ApiReply getApiDocs(const ApiRequest&, Services&);
ApiReply listPlugins(const ApiRequest&, Services&);
ApiReply listRuntimes(const ApiRequest&, Services&);
ApiReply listHooks(const ApiRequest&, Services&);
ApiReply registerHandler(const ApiRequest&, Services&);
ApiReply listHandlers(const ApiRequest&, Services&);
ApiReply getHandler(const ApiRequest&, Services&);
ApiReply deleteHandler(const ApiRequest&, Services&);
ApiReply fireEvent(const ApiRequest&, Services&);
ApiReply getEvent(const ApiRequest&, Services&);
ApiReply getEventTree(const ApiRequest&, Services&);
ApiReply listJobs(const ApiRequest&, Services&);
ApiReply getJob(const ApiRequest&, Services&);
ApiReply cancelJob(const ApiRequest&, Services&);
ApiReply jobCallback(const ApiRequest&, Services&);
ApiReply getJobOutput(const ApiRequest&, Services&);
// The console (issue 16): stats_routes.cpp, console_routes.cpp, caller_routes.cpp.
ApiReply getStats(const ApiRequest&, Services&);
ApiReply getConsole(const ApiRequest&, Services&);
ApiReply getConsoleFile(const ApiRequest&, Services&);
ApiReply getCaller(const ApiRequest&, Services&);

// The batch forms (issue 22), reached through fireEvent (a JSON array body) and listJobs
// (an `ids` query): event_batch_routes.cpp, job_ids_routes.cpp.
ApiReply fireEvents(const ApiRequest&, Services&, std::optional<double> wait);
ApiReply listJobsByIds(const ApiRequest&, Services&);

}  // namespace hookhost::http
