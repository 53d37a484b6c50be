#include "app/host_application.hpp"

#include <iostream>
#include <unistd.h>

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/store_location.hpp"
#include "auth/api_keys.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/event_service.hpp"
#include "http/request_handler_factory.hpp"
#include "http/services.hpp"
#include "metrics/metrics.hpp"
#include "registry/hook_catalog.hpp"

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

    dispatch::JobWatch watch;
    dispatch::EventService events(*store, catalog,
                                  {config.integer("dispatch.max_queued"),
                                   static_cast<int>(config.integer("dispatch.max_chain_depth"))},
                                  watch);
    dispatch::DispatcherOptions dispatchOptions;
    dispatchOptions.workers = static_cast<int>(config.integer("dispatch.workers"));
    dispatchOptions.hostId = hostId();
    dispatchOptions.lease = config.duration("dispatch.lease");
    dispatchOptions.callbackTtl = config.duration("dispatch.callback_ttl");
    dispatchOptions.retry = {config.duration("dispatch.retry_base"), config.duration("dispatch.retry_max")};
    dispatch::Dispatcher dispatcher(*store, events, watch, metrics, dispatchOptions);
    events.setOnFired([&](const storage::FireResult& fired) {
      metrics.eventsFired.add();
      if (!fired.jobs.empty()) dispatcher.wake();
    });

    http::Services services{*store, catalog};
    services.maxBodyBytes = static_cast<std::size_t>(config.integer("http.max_body_bytes"));
    services.registrationRules.defaultTimeoutS = static_cast<int>(config.integer("sandbox.default_timeout_s"));
    services.events = &events;
    services.metricsText = [&] { return metrics.render(); };
    services.healthDetails = [&] { return nlohmann::json{{"host", dispatchOptions.hostId}}; };

    dispatcher.start();

    Poco::Net::ServerSocket socket(
        Poco::Net::SocketAddress(config.text("http.host"), static_cast<Poco::UInt16>(config.integer("http.port"))));
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
    bool drained = dispatcher.stop(kDrainFor);
    if (!drained) {
      log.warning("jobs still running after %d s; they are recovered at the next start", static_cast<int>(kDrainFor.count()));
      std::cout.flush();
      ::_exit(EXIT_OK);
    }
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
