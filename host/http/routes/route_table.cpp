#include "http/router.hpp"
#include "http/routes/repair_routes.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

std::vector<Route> apiRoutes() {
  using enum Access;
  using storage::Role;
  return {
      {"GET", "/health", Public, getHealth},
      {"GET", "/metrics", Public, getMetrics},
      {"GET", "/openapi.json", Public, getOpenApi},
      {"GET", "/apidocs", Public, getApiDocs},
      {"GET", "/v1/hooks", Authenticated, listHooks},
      {"POST", "/v1/handlers", Authenticated, registerHandler, {Role::Admin, Role::User}, "register handlers"},
      {"GET", "/v1/handlers", Authenticated, listHandlers},
      {"GET", "/v1/handlers/{id}", Authenticated, getHandler},
      {"DELETE", "/v1/handlers/{id}", Authenticated, deleteHandler},
      {"POST", "/v1/events", Authenticated, fireEvent, {Role::Admin, Role::Publisher}, "fire events"},
      {"GET", "/v1/events/{id}", Authenticated, getEvent},
      {"GET", "/v1/events/{id}/tree", Authenticated, getEventTree},
      {"GET", "/v1/jobs", Authenticated, listJobs},
      {"GET", "/v1/jobs/{id}", Authenticated, getJob},
      {"POST", "/v1/jobs/{id}/cancel", Authenticated, cancelJob},
      {"GET", "/v1/jobs/{id}/output", Authenticated, getJobOutput},
      // The outside system that finishes a deferred job holds the job's one-time token,
      // not an API key: the token is the credential.
      {"POST", "/v1/jobs/{id}/callback", Public, jobCallback},
      {"GET", "/v1/plugins", Authenticated, listPlugins},
      {"POST", "/v1/jobs/{id}/rerun", Authenticated, rerunJob},
      {"POST", "/v1/replay", Authenticated, replayJobs},
      {"GET", "/v1/handlers/{id}/versions", Authenticated, listHandlerVersions},
      {"POST", "/v1/handlers/{id}/rollback", Authenticated, rollbackHandler},
      {"GET", "/v1/runtimes", Authenticated, listRuntimes},
      {"GET", "/v1/stats", Authenticated, getStats},
      {"GET", "/v1/me", Authenticated, getCaller},
      {"GET", "/ui", Public, getConsole},
      {"GET", "/ui/{file}", Public, getConsoleFile},
  };
}

}  // namespace hookhost::http
