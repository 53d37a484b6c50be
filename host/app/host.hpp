#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/grpc_part.hpp"
#include "app/host_parts.hpp"
#include "app/http_part.hpp"
#include "app/mail_part.hpp"
#include "app/plugin_executor.hpp"
#include "app/sandbox_part.hpp"
#include "app/webhook_part.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/event_service.hpp"
#include "dispatch/host_presence.hpp"
#include "dispatch/retention_loop.hpp"
#include "http/services.hpp"
#include "jobs/job_lifecycle.hpp"
#include "jobs/job_watch.hpp"
#include "jobs/live_output.hpp"
#include "metrics/metrics.hpp"
#include "plugins/plugin_directory.hpp"
#include "registry/hook_catalog.hpp"
#include "storage/postgres_wakeups.hpp"
#include "storage/retention.hpp"
#include "storage/store.hpp"

namespace hookhost::app {

/// One running host: every part of `hookhost serve`, built from the config. The members are
/// declared in the order they are built (each uses only those above it), so they are
/// destroyed in reverse; start() starts the running parts in the order of parts_ and stop()
/// stops them in reverse. Used by the main thread only.
class Host {
 public:
  /// Opens the store, loads the hook catalog and binds the API's socket; starts nothing.
  /// Throws ConfigError, registry::CatalogError or what the store throws.
  explicit Host(const Config& config);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  /// Starts notifier, plugins, host presence, dispatcher, retention, gRPC service (when
  /// configured) and HTTP server, in that order.
  void start();
  /// Stops them in reverse. The drain of running jobs is bounded by `dispatch.drain_timeout`;
  /// the jobs still running then are abandoned (logged by id, rescued at the next start) and
  /// the other parts still stop.
  void stop();
  /// The jobs the drain abandoned. Their threads still use the dispatcher and the store:
  /// when this is not empty, the process must exit without destroying the host.
  const std::vector<std::int64_t>& abandonedJobs() const { return abandoned_; }

 private:
  void wireMetrics();
  void wireServices();
  void addParts();
  void drainJobs();
  void pokeNotifiersOfNewRows();

  const Config& config_;
  const std::string hostId_;
  std::unique_ptr<storage::Store> store_;
  registry::HookCatalog catalog_;
  metrics::HostMetrics metrics_;
  MailPart mail_;
  WebhookPart webhooks_;
  jobs::JobWatch watch_;
  jobs::LiveOutputs liveOutputs_;
  dispatch::EventService events_;
  const std::set<std::string> trusted_;
  jobs::JobLifecycle lifecycle_;
  dispatch::Dispatcher dispatcher_;
  // On a PostgreSQL store: other hosts' commits of runnable jobs wake the dispatcher. Null on SQLite.
  std::unique_ptr<storage::PostgresWakeups> wakeups_;
  SandboxPart sandbox_;
  plugins::PluginDirectory pluginDirectory_;
  PluginExecutor pluginExecutor_;
  std::unique_ptr<storage::Pruner> pruner_;
  dispatch::RetentionLoop retention_;
  http::Services services_;
  const std::string apiDocsPage_;
  HttpPart http_;
  GrpcPart grpc_;
  dispatch::HostPresence presence_;
  HostParts parts_;
  std::vector<std::int64_t> abandoned_;
  // The store's queuedHere counts at the last poke of each channel's notifier.
  std::atomic<std::uint64_t> mailsPoked_{0}, webhooksPoked_{0};
};

}  // namespace hookhost::app
