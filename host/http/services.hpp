#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/handler_check.hpp"
#include "registry/handler_request.hpp"
#include "registry/hook_catalog.hpp"
#include "jobs/job_lifecycle.hpp"
#include "jobs/live_output.hpp"
#include "storage/store.hpp"

namespace hookhost::dispatch {
class EventService;
}

namespace hookhost::http {

class BodyBudget;

/// What the routes work with. Owned by the application, which outlives the server; the
/// optional parts are empty while their subsystem is not running.
struct Services {
  Services(storage::Store& store, jobs::JobLifecycle& lifecycle, const registry::HookCatalog& catalog)
      : users(store), handlers(store), jobs(store), lifecycle(lifecycle), catalog(catalog) {}

  storage::UserStore& users;
  storage::HandlerStore& handlers;
  storage::JobStore& jobs;  // reads; every change of a job's state goes through the lifecycle
  jobs::JobLifecycle& lifecycle;
  const registry::HookCatalog& catalog;
  registry::RegistrationRules registrationRules;
  std::size_t maxBodyBytes = 16u << 20;
  /// Shared by all requests' bodies; installed by the ApiServer. Null: no budget.
  BodyBudget* bodyBudget = nullptr;
  /// Whether GET /health shows host ids, addresses and plugins without a key.
  bool healthDetailPublic = false;
  dispatch::EventService* events = nullptr;
  /// The running attempts' output, for GET /v1/jobs/{id}/output. Null: only stored output.
  jobs::LiveOutputs* liveOutputs = nullptr;
  /// Called after a handler was replaced or deregistered (retire its warm workers).
  std::function<void(const storage::Handler&)> onHandlerChanged;
  /// Run on each parsed registration before it is stored (the python load check); unset = none.
  registry::HandlerCheck checkHandler;
  /// GET /v1/runtimes: the interpreters handlers may run in and what each offers.
  std::function<nlohmann::json()> runtimes;
  std::function<nlohmann::json()> pluginsSnapshot;
  std::function<std::string()> metricsText;
  std::function<nlohmann::json()> healthDetails;
  std::function<nlohmann::json()> openApiSpec;
  std::function<std::string()> apiDocsPage;
  /// The web console's static files (GET /ui); empty: no console.
  std::filesystem::path consoleDir;
  std::atomic<bool> shuttingDown{false};
};

}  // namespace hookhost::http
