#include "app/sandbox_part.hpp"

#include <Poco/Logger.h>

#include "sandbox/src/sandbox_options.hpp"

namespace hookhost::app {
namespace {

sandbox::SandboxOptions sandboxOptions(const Config& config) {
  nlohmann::json section = {
      {"python", config.text("sandbox.python")},         {"network", config.flag("sandbox.network")},
      {"memory_mb", config.integer("sandbox.memory_mb")}, {"cpu_s", config.integer("sandbox.cpu_s")},
      {"max_procs", config.integer("sandbox.max_procs")}, {"default_timeout_s", config.integer("sandbox.default_timeout_s")},
      {"output_max_bytes", config.integer("sandbox.output_max_bytes")},
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

SandboxPart::SandboxPart(const Config& config) {
  Poco::Logger& log = Poco::Logger::get("hookhost");
  auto interpreters = sandbox::PythonInterpreters::configure(config.text("sandbox.python"), config.map("sandbox.pythons"));
  if (!interpreters) throw ConfigError(interpreters.error().message);
  auto pool = sandbox::WorkerPool::create(sandboxOptions(config));
  if (!pool) {
    problem_ = pool.error().message;
    log.error("the sandbox is unavailable: %s", problem_);
    return;
  }
  pool_ = std::move(*pool);
  auto files = sandbox::RuntimeFiles::create({sandbox::pythonRunnerDir(executableDirectory().parent_path() / "share"),
                                              executableDirectory() / "hookhost-plugin-worker"},
                                             pool_->identity());
  if (!files) {
    problem_ = files.error().message;
    log.error("the sandbox is unavailable: %s", problem_);
    return;
  }
  files_.emplace(std::move(*files));
  log.information("sandbox files in %s", files_->path().string());
  python_.emplace(*pool_, files_->runnerDir());
  interpreters_.emplace(std::move(*interpreters));
  interpreters_->startProbe(*pool_, files_->runnerDir());
  python_->useInterpreters(*interpreters_);
}

void SandboxPart::shutdown() {
  if (pool_) pool_->shutdown();
}

}  // namespace hookhost::app
