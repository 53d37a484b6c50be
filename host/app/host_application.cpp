#include "app/host_application.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <Poco/Logger.h>

#include "app/config.hpp"
#include "app/host.hpp"
#include "app/logging.hpp"
#include "registry/hook_catalog.hpp"

namespace hookhost::app {
namespace {

constexpr int kExitConfig = 78;        // EX_CONFIG
constexpr int kExitDrainTimedOut = 75;  // EX_TEMPFAIL: jobs were abandoned; the next start rescues them

Config loadConfig(const std::optional<std::filesystem::path>& file, Poco::Logger& log) {
  Config config = Config::load(file, Config::processEnvironment());
  for (const auto& key : config.unknownKeys()) log.warning("ignoring unknown config key '%s'", key);
  return config;
}

// Every part has stopped, but the threads of the abandoned attempts still use the
// dispatcher and the store: their destructors must not run under them.
[[noreturn]] void exitAbandoning(Poco::Logger& log) {
  log.warning("stopped with jobs abandoned");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(kExitDrainTimedOut);
}

}  // namespace

int HostApplication::main(const std::vector<std::string>&) {
  configureLogging();
  Poco::Logger& log = Poco::Logger::get("hookhost");
  try {
    const Config config = loadConfig(configFile_, log);
    Host host(config);
    host.start();
    waitForTerminationRequest();
    log.information("stopping: no new requests; draining running jobs");
    host.stop();
    if (!host.abandonedJobs().empty()) exitAbandoning(log);
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
