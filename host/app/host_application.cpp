#include "app/host_application.hpp"

#include <iostream>
#include <set>
#include <unistd.h>

#include <Poco/Logger.h>
#include <Poco/Thread.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/plugin_executor.hpp"
#include "app/plugin_registrations.hpp"
#include "apidocs/api_docs_page.hpp"
#include "apidocs/open_api_spec.hpp"
#include "app/store_location.hpp"
#include "auth/api_keys.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/event_service.hpp"
#include "dispatch/host_presence.hpp"
#include "http/request_handler_factory.hpp"
#include "http/services.hpp"
#include "jobs/job_lifecycle.hpp"
#include "metrics/metrics.hpp"
#include "notify/mail_settings.hpp"
#include "notify/notifier.hpp"
#include "plugins/plugin_directory.hpp"
#include "sandbox/src/python_executor.hpp"
#include "registry/hook_catalog.hpp"
#include "sandbox/src/sandbox_options.hpp"
#include "sandbox/src/worker_pool.hpp"

namespace hookhost::app {
namespace {

constexpr int kExitConfig = 78;  // EX_CONFIG
constexpr auto kDrainFor = std::chrono::seconds(30);

std::string hostId() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return std::string(name) + ":" + std::to_string(::getpid());
}

std::filesystem::path configuredOrBundled(const Config& config, const std::string& key, const std::string& bundled) {
  return config.isSet(key) ? std::filesystem::path(config.text(key)) : bundledPath(bundled);
}

// The first start of an empty store creates an admin, so the host is usable at once.
void bootstrapAdmin(storage::Store& store, Poco::Logger& log) {
  if (store.countUsers() > 0) return;
  auto admin = auth::addUser(store, "admin", "admin@localhost", storage::Role::Admin);
  if (!admin) {
    log.error("could not create the first admin: %s", admin.error().message);
    return;
  }
  std::cout << "admin API key (shown once, stored hashed): " << admin->key << std::endl;
  log.information("created user 'admin' with role admin");
}

sandbox::SandboxOptions sandboxOptions(const Config& config) {
  nlohmann::json section = {
      {"python", config.text("sandbox.python")},         {"network", config.flag("sandbox.network")},
      {"memory_mb", config.integer("sandbox.memory_mb")}, {"cpu_s", config.integer("sandbox.cpu_s")},
      {"max_procs", config.integer("sandbox.max_procs")}, {"default_timeout_s", config.integer("sandbox.default_timeout_s")},
  };
  if (config.isSet("sandbox.user")) section["user"] = config.text("sandbox.user");
  for (const char* key : {"max_workers", "max_workers_per_key", "idle_timeout_s", "recycle_after_runs"}) {
    const std::string name = std::string("sandbox.") + key;
    if (config.isSet(name)) section[key] = config.integer(name);
  }
  auto options = sandbox::sandboxOptionsFromJson(section);
  if (!options) throw ConfigError(options.error().message);
  return *options;
}

}  // namespace

int HostApplication::main(const std::vector<std::string>&) {
  configureLogging();
  Poco::Logger& log = Poco::Logger::get("hookhost");
  try {
    Config config = Config::load(configFile_, Config::processEnvironment());
    for (const auto& key : config.unknownKeys()) log.warning("ignoring unknown config key '%s'", key);

    std::filesystem::create_directories(config.text("data.dir"));
    auto store = openStore(config);
    auto catalog = registry::HookCatalog::loadFromDirectory(configuredOrBundled(config, "hooks.dir", "share/hookhost/hooks"));
    bootstrapAdmin(*store, log);

    metrics::HostMetrics metrics;
    metrics.jobsByState = [&] { return store->countJobsByState(); };
    metrics.queueDepth = [&] { return store->countQueued(); };

    auto mail = notify::readMailSettings([&](const std::string& key) { return config.textOf(key); },
                                         config.text("data.dir"));
    if (!mail) throw ConfigError(mail.error().message);
    auto transport = notify::makeTransport(*mail);
    notify::MessageBuilder messages(mail->message);
    notify::RetryPolicy mailRetry(mail->retry);
    notify::Notifier notifier(*store, *transport, messages, mailRetry);
    metrics.notifications = [&] {
      auto counts = notifier.counters();
      return metrics::HostMetrics::NotificationCounts{static_cast<std::int64_t>(counts.sent),
                                                      static_cast<std::int64_t>(counts.retried),
                                                      static_cast<std::int64_t>(counts.failed)};
    };

    jobs::JobWatch watch;
    // A job's end commits its notification; the notifier sends it at once, not at its next poll.
    watch.setListener([&] { notifier.poke(); });
    dispatch::EventService events(*store, catalog,
                                  {config.integer("dispatch.max_queued"),
                                   static_cast<int>(config.integer("dispatch.max_chain_depth"))},
                                  watch);
    const auto trustedList = config.list("plugins.trusted");
    const std::set<std::string> trusted(trustedList.begin(), trustedList.end());
    jobs::LifecycleOptions lifecycleOptions;
    lifecycleOptions.runsInProcess = [&](const std::string& plugin) { return PluginExecutor::runsInProcess(trusted, plugin); };
    jobs::JobLifecycle lifecycle(*store, *store, watch, lifecycleOptions);
    dispatch::DispatcherOptions dispatchOptions;
    dispatchOptions.workers = static_cast<int>(config.integer("dispatch.workers"));
    dispatchOptions.hostId = hostId();
    dispatchOptions.lease = config.duration("dispatch.lease");
    dispatchOptions.callbackTtl = config.duration("dispatch.callback_ttl");
    dispatchOptions.retry = {config.duration("dispatch.retry_base"), config.duration("dispatch.retry_max")};
    // Joins the store's host list once the API's address is known (below).
    std::optional<dispatch::HostPresence> presence;
    dispatchOptions.pluginsToLeave = [&] { return presence ? presence->pluginsToLeave() : std::vector<std::string>{}; };
    dispatch::Dispatcher dispatcher(*store, lifecycle, events, metrics, dispatchOptions);

    // The dispatcher (a FireClaimer) hears of each fire's jobs itself.
    events.setOnFired([&](const storage::FireResult&) { metrics.eventsFired.add(); });

    // The sandbox runs Python handlers and untrusted plugins. Where it cannot start (no
    // bubblewrap, no user namespaces) the host still serves; those jobs fail with the reason.
    auto pool = sandbox::WorkerPool::create(sandboxOptions(config));
    std::string sandboxProblem = pool ? "" : pool.error().message;
    if (!pool) log.error("the sandbox is unavailable: %s", sandboxProblem);
    sandbox::WorkerPool* workerPool = pool ? pool->get() : nullptr;
    std::optional<sandbox::PythonExecutor> python;
    if (workerPool) {
      python.emplace(*workerPool, sandbox::pythonRunnerDir(executableDirectory().parent_path() / "share"));
      dispatcher.addExecutor("python", *python);
    }

    plugins::PluginDirectoryOptions pluginOptions;
    pluginOptions.dir = configuredOrBundled(config, "plugins.dir", "lib/hookhost/plugins");
    pluginOptions.copyDir = std::filesystem::path(config.text("data.dir")) / "plugins";
    pluginOptions.hookExists = [&](const std::string& hook) { return catalog.contains(hook); };
    pluginOptions.log = [](const std::string& line) { Poco::Logger::get("hookhost.plugins").information(line); };
    plugins::PluginDirectory pluginDirectory(pluginOptions);
    pluginDirectory.setOnChange([&](const plugins::PluginSnapshot& snapshot) {
      registerManifestHandlers(*store, catalog, snapshot);
    });
    pluginDirectory.start();
    PluginExecutor pluginExecutor(pluginDirectory, trusted, workerPool,
                                  executableDirectory() / "hookhost-plugin-worker", sandboxProblem);
    dispatcher.addExecutor("plugin", pluginExecutor);

    http::Services services{*store, lifecycle, catalog};
    services.pluginsSnapshot = [&] {
      auto listing = pluginDirectory.snapshot()->toJson();
      listing["quarantined_jobs"] = nlohmann::json::array();
      for (const auto& failed : lifecycle.inProcessFailures()) {
        listing["quarantined_jobs"].push_back({{"plugin", failed.plugin}, {"job_id", failed.jobId}, {"reason", failed.error}});
      }
      return listing;
    };
    services.registrationRules.pluginHandlerExists = [&](const std::string& plugin) {
      return static_cast<bool>(pluginDirectory.resolve(plugin));
    };
    services.onHandlerChanged = [&](const storage::Handler& handler) {
      if (python) python->retireHandler(handler.createdBy, handler.id);
    };
    services.maxBodyBytes = static_cast<std::size_t>(config.integer("http.max_body_bytes"));
    services.registrationRules.defaultTimeoutS = static_cast<int>(config.integer("sandbox.default_timeout_s"));
    services.events = &events;
    services.metricsText = [&] { return metrics.render(); };
    services.healthDetails = [&] {
      nlohmann::json hosts = nlohmann::json::array();
      for (const auto& host : presence ? presence->liveHosts() : std::vector<storage::HostInfo>{}) {
        hosts.push_back({{"id", host.id}, {"address", host.address}, {"plugins", host.plugins},
                         {"started_at", formatRfc3339(host.startedAt)},
                         {"heartbeat_at", formatRfc3339(host.heartbeatAt)}});
      }
      return nlohmann::json{{"host", dispatchOptions.hostId}, {"hosts", hosts}};
    };
    services.openApiSpec = [] { return apidocs::openApiSpec(); };
    const std::string apiDocsPage = apidocs::renderApiDocsHtml(apidocs::openApiSpec());
    services.apiDocsPage = [&] { return apiDocsPage; };

    // Bound before anything starts, so the host's address is known when it joins the host list.
    Poco::Net::ServerSocket socket(
        Poco::Net::SocketAddress(config.text("http.host"), static_cast<Poco::UInt16>(config.integer("http.port"))));
    dispatch::HostPresenceOptions presenceOptions;
    presenceOptions.hostId = dispatchOptions.hostId;
    presenceOptions.address = config.isSet("http.public_url") && !config.text("http.public_url").empty()
                                  ? config.text("http.public_url")
                                  : "http://" + config.text("http.host") + ":" + std::to_string(socket.address().port());
    presenceOptions.localPlugins = [&] {
      std::vector<std::string> names;
      for (const auto& plugin : pluginDirectory.snapshot()->plugins) names.push_back(plugin->name());
      return names;
    };
    presence.emplace(*store, presenceOptions);
    presence->start();
    notifier.start();
    dispatcher.start();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(config.integer("http.threads")));
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    Poco::Net::HTTPServer server(new http::RequestHandlerFactory(services), socket, params);
    server.start();
    log.information("listening on http://%s:%hu", config.text("http.host"), socket.address().port());

    waitForTerminationRequest();
    log.information("stopping: no new requests; draining running jobs");
    services.shuttingDown = true;
    server.stop();
    // Requests in flight finish (a fire that committed gets its answer); idle keep-alive
    // connections and long ?wait= calls are cut after a short grace.
    for (int i = 0; i < 50 && server.currentConnections() > 0; ++i) Poco::Thread::sleep(100);
    server.stopAll(true);
    bool drained = dispatcher.stop(kDrainFor);
    if (!drained) {
      log.warning("jobs still running after %d s; they are recovered at the next start", static_cast<int>(kDrainFor.count()));
      std::cout.flush();
      ::_exit(EXIT_OK);
    }
    presence->stop();
    if (workerPool) workerPool->shutdown();
    pluginDirectory.stop();
    notifier.stop();
    log.information("stopped");
    return EXIT_OK;
  } catch (const ConfigError& error) {
    log.fatal("configuration: %s", std::string(error.what()));
    return kExitConfig;
  } catch (const registry::CatalogError& error) {
    log.fatal("hook catalog: %s", std::string(error.what()));
    return kExitConfig;
  } catch (const Poco::Exception& error) {
    log.fatal("cannot start: %s", error.displayText());
    return EXIT_SOFTWARE;
  } catch (const std::exception& error) {
    log.fatal("cannot start: %s", std::string(error.what()));
    return EXIT_SOFTWARE;
  }
}

}  // namespace hookhost::app
