#include "app/host.hpp"

#include <iostream>
#include <unistd.h>

#include <Poco/Logger.h>

#include "apidocs/api_docs_page.hpp"
#include "apidocs/open_api_spec.hpp"
#include "app/live_output_options.hpp"
#include "app/plugin_registrations.hpp"
#include "app/python_registration.hpp"
#include "app/store_location.hpp"
#include "auth/api_keys.hpp"

namespace hookhost::app {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("hookhost"); }

std::string makeHostId() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return std::string(name) + ":" + std::to_string(::getpid());
}

std::filesystem::path configuredOrBundled(const Config& config, const std::string& key, const std::string& bundled) {
  return config.isSet(key) ? std::filesystem::path(config.text(key)) : bundledPath(bundled);
}

std::unique_ptr<storage::Store> openStoreIn(const Config& config) {
  std::filesystem::create_directories(config.text("data.dir"));
  return openStore(config);
}

// The first start of an empty store creates an admin, so the host is usable at once.
void bootstrapAdmin(storage::Store& store) {
  if (store.countUsers() > 0) return;
  auto admin = auth::addUser(store, "admin", "admin@localhost", storage::Role::Admin);
  if (!admin) {
    logger().error("could not create the first admin: %s", admin.error().message);
    return;
  }
  std::cout << "admin API key (shown once, stored hashed): " << admin->key << std::endl;
  logger().information("created user 'admin' with role admin");
}

dispatch::DispatcherOptions dispatcherOptions(const Config& config, const std::string& hostId,
                                              std::function<std::vector<std::string>()> pluginsToLeave,
                                              jobs::LiveOutputs& liveOutputs) {
  dispatch::DispatcherOptions options;
  options.liveOutputs = &liveOutputs;
  options.pluginsToLeave = std::move(pluginsToLeave);
  options.workers = static_cast<int>(config.integer("dispatch.workers"));
  options.hostId = hostId;
  options.lease = config.duration("dispatch.lease");
  options.pollInterval = config.duration("dispatch.poll_interval");
  options.callbackTtl = config.duration("dispatch.callback_ttl");
  options.retry = {config.duration("dispatch.retry_base"), config.duration("dispatch.retry_max")};
  return options;
}

plugins::PluginDirectoryOptions pluginOptions(const Config& config, const registry::HookCatalog& catalog) {
  plugins::PluginDirectoryOptions options;
  options.dir = configuredOrBundled(config, "plugins.dir", "lib/hookhost/plugins");
  options.copyDir = std::filesystem::path(config.text("data.dir")) / "plugins";
  options.hookExists = [&catalog](const std::string& hook) { return catalog.contains(hook); };
  options.log = [](const std::string& line) { Poco::Logger::get("hookhost.plugins").information(line); };
  return options;
}

std::set<std::string> trustedPlugins(const Config& config) {
  auto trusted = config.list("plugins.trusted");
  return {trusted.begin(), trusted.end()};
}

jobs::LifecycleOptions lifecycleOptions(const Config& config, const std::set<std::string>& trusted,
                                        std::function<void()> jobsQueued) {
  jobs::LifecycleOptions options;
  options.maxQueued = config.integer("dispatch.max_queued");
  options.jobsQueued = std::move(jobsQueued);
  options.runsInProcess = [&trusted](const std::string& plugin) { return PluginExecutor::runsInProcess(trusted, plugin); };
  return options;
}

std::string joinIds(const std::vector<std::int64_t>& ids) {
  std::string text;
  for (auto id : ids) text += (text.empty() ? "" : ", ") + std::to_string(id);
  return text;
}

}  // namespace

Host::Host(const Config& config)
    : config_(config),
      hostId_(makeHostId()),
      store_(openStoreIn(config)),
      catalog_(registry::HookCatalog::loadFromDirectory(configuredOrBundled(config, "hooks.dir", "share/hookhost/hooks"))),
      mail_(config, *store_),
      webhooks_(config, *store_, *store_, mail_.retry),
      liveOutputs_(liveOutputOptions(config)),
      events_(*store_, catalog_,
              {config.integer("dispatch.max_queued"), static_cast<int>(config.integer("dispatch.max_chain_depth"))},
              watch_),
      trusted_(trustedPlugins(config)),
      lifecycle_(*store_, *store_, watch_, lifecycleOptions(config, trusted_, [this] { dispatcher_.wake(); })),
      dispatcher_(*store_, lifecycle_, events_, metrics_, dispatcherOptions(config, hostId_, [this] { return presence_.pluginsToLeave(); }, liveOutputs_)),
      wakeups_(storage::PostgresWakeups::forStore(config.text("data.url"), [this] { dispatcher_.wake(); })),
      sandbox_(config),
      pluginDirectory_(pluginOptions(config, catalog_)),
      pluginExecutor_(pluginDirectory_, trusted_, sandbox_.pool(), sandbox_.pluginWorker(), sandbox_.problem()),
      pruner_(storage::SqlPruner::forStore(*store_)),
      retention_(*pruner_, metrics_, {config.duration("data.retention"), mail_.settings.spoolDir}),
      services_(*store_, lifecycle_, catalog_),
      apiDocsPage_(apidocs::renderApiDocsHtml(apidocs::openApiSpec())),
      http_(config),
      grpc_(config),
      presence_(*store_, {hostId_, http_.publicAddress(), [this] {
                            std::vector<std::string> names;
                            for (const auto& plugin : pluginDirectory_.snapshot()->plugins) names.push_back(plugin->name());
                            return names;
                          }}) {
  bootstrapAdmin(*store_);
  wireMetrics();
  watch_.setListener([this] {
    pokeNotifiersOfNewRows();
    liveOutputs_.jobsChanged();  // a follower of a job that ended waits for its new state
  });
  // The dispatcher (a FireClaimer) hears of each fire's jobs itself.
  events_.setOnFired([this](const storage::FireResult&) { metrics_.eventsFired.add(); });
  if (auto* python = sandbox_.python()) dispatcher_.addExecutor(Runtime::Python, *python);
  dispatcher_.addExecutor(Runtime::Plugin, pluginExecutor_);
  pluginDirectory_.setOnChange([this](const plugins::PluginSnapshot& snapshot) {
    registerManifestHandlers(*store_, catalog_, snapshot);
  });
  wireServices();
  addParts();
}

Host::~Host() { stop(); }

// A job's end commits its notification; its channel's notifier sends it at once, not at its
// next poll. A change that queued nothing wakes no notifier: each wake-up is a claim, a write
// transaction on the store's one writer (issue 13's profile found one per job change).
void Host::pokeNotifiersOfNewRows() {
  const std::uint64_t mails = store_->queuedHere(outbox::Channel::Mail);
  if (mailsPoked_.exchange(mails) != mails) mail_.notifier.poke();
  const std::uint64_t webhooks = store_->queuedHere(outbox::Channel::Webhook);
  if (webhooksPoked_.exchange(webhooks) != webhooks) webhooks_.notifier.poke();
}

void Host::wireMetrics() {
  metrics_.jobsByState = [this] { return store_->countJobsByState(); };
  metrics_.queueDepth = [this] { return store_->countQueued(); };
  metrics_.sandboxWorkersStarted = [this] {
    auto* pool = sandbox_.pool();
    return pool ? static_cast<std::int64_t>(pool->workersStarted()) : std::int64_t{0};
  };
  metrics_.notifications = [this] {
    auto counts = mail_.notifier.counters();
    return metrics::HostMetrics::NotificationCounts{static_cast<std::int64_t>(counts.sent),
                                                    static_cast<std::int64_t>(counts.retried),
                                                    static_cast<std::int64_t>(counts.failed)};
  };
  metrics_.webhookNotifications = [this] {
    auto counts = webhooks_.notifier.counters();
    return metrics::HostMetrics::NotificationCounts{static_cast<std::int64_t>(counts.sent),
                                                    static_cast<std::int64_t>(counts.retried),
                                                    static_cast<std::int64_t>(counts.failed)};
  };
}

void Host::wireServices() {
  services_.pluginsSnapshot = [this] {
    auto listing = pluginDirectory_.snapshot()->toJson();
    listing["quarantined_jobs"] = nlohmann::json::array();
    for (const auto& failed : lifecycle_.inProcessFailures()) {
      listing["quarantined_jobs"].push_back({{"plugin", failed.plugin}, {"job_id", failed.jobId}, {"reason", failed.error}});
    }
    return listing;
  };
  services_.registrationRules.pluginHandlerExists = [this](const std::string& plugin) {
    return static_cast<bool>(pluginDirectory_.resolve(plugin));
  };
  services_.onHandlerChanged = [this](const storage::Handler& handler) {
    if (auto* python = sandbox_.python()) python->retireHandler(handler.createdBy, handler.id);
  };
  services_.checkHandler = pythonLoadCheck(sandbox_, config_.duration("sandbox.default_timeout_s"));
  services_.runtimes = [this] {
    auto* interpreters = sandbox_.interpreters();
    return interpreters ? interpreters->toJson() : nlohmann::json::array();
  };
  services_.maxBodyBytes = static_cast<std::size_t>(config_.integer("http.max_body_bytes"));
  services_.registrationRules.defaultTimeoutS = static_cast<int>(config_.integer("sandbox.default_timeout_s"));
  services_.events = &events_;
  services_.liveOutputs = &liveOutputs_;
  services_.metricsText = [this] { return metrics_.render(); };
  services_.healthDetails = [this] {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& host : presence_.liveHosts()) {
      hosts.push_back({{"id", host.id}, {"address", host.address}, {"plugins", host.plugins},
                       {"started_at", formatRfc3339(host.startedAt)},
                       {"heartbeat_at", formatRfc3339(host.heartbeatAt)}});
    }
    return nlohmann::json{{"host", hostId_}, {"hosts", hosts}};
  };
  services_.openApiSpec = [] { return apidocs::openApiSpec(); };
  services_.apiDocsPage = [this] { return apiDocsPage_; };
  services_.consoleDir = bundledPath("share/hookhost/ui");
}

void Host::addParts() {
  // The notifier stops last, so it sends what the last jobs' ends committed.
  parts_.add("notifier", [this] { mail_.notifier.start(); }, [this] { mail_.notifier.stop(); });
  parts_.add("webhook notifier", [this] { webhooks_.notifier.start(); }, [this] { webhooks_.notifier.stop(); });
  parts_.add("plugin directory", [this] { pluginDirectory_.start(); }, [this] { pluginDirectory_.stop(); });
  parts_.add("sandbox", [] {}, [this] { sandbox_.shutdown(); });
  parts_.add("host presence", [this] { presence_.start(); }, [this] { presence_.stop(); });
  parts_.add("dispatcher", [this] { dispatcher_.start(); }, [this] { drainJobs(); });
  if (wakeups_) parts_.add("cross-host wake-ups", [this] { wakeups_->start(); }, [this] { wakeups_->stop(); });
  parts_.add("retention", [this] { retention_.start(); }, [this] { retention_.stop(); });
  parts_.add("gRPC service", [this] { grpc_.start(services_); }, [this] { grpc_.stop(); });
  parts_.add("HTTP server", [this] { http_.start(services_); }, [this] { http_.stop(); });
}

void Host::start() { parts_.start(); }

void Host::stop() { parts_.stop(); }

void Host::drainJobs() {
  const auto bound = config_.duration("dispatch.drain_timeout");
  logger().information("draining running jobs (at most %s ms)", std::to_string(bound.count()));
  if (dispatcher_.stop(bound)) return;
  abandoned_ = dispatcher_.unfinishedJobs();
  logger().error("the drain timed out after %s ms; abandoned %z jobs (ids %s): the next start rescues them",
                 std::to_string(bound.count()), abandoned_.size(), joinIds(abandoned_));
}

}  // namespace hookhost::app
