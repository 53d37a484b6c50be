#include "plugins/plugin_directory.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace hookhost::plugins {
namespace {

namespace fs = std::filesystem;

// Copies named `<stem>.<n>.so` directly in the copy dir are from versions before per-run
// directories; no host of this version maps them.
void removeFlatCopies(const fs::path& copyDir) {
  static const std::regex flatCopy(R"(.+\.[0-9]+\.so)");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(copyDir, ec)) {
    if (entry.is_regular_file(ec) && std::regex_match(entry.path().filename().string(), flatCopy)) {
      fs::remove(entry.path(), ec);
    }
  }
}

// This host's own directory for plugin copies: below the configured one when the sandbox user
// can reach it, else below the temp dir. A previous run's directory that nobody holds any more
// goes now (ClaimedDirectory), so copies never pile up across starts.
ClaimedDirectory claimCopyDir(const fs::path& configured, const std::function<void(const std::string&)>& log) {
  if (!configured.empty() && reachableByOthers(configured)) {
    auto claimed = ClaimedDirectory::claim(configured, "run-", DirectoryAccess::OthersMayRead);
    if (claimed) {
      removeFlatCopies(configured);
      return std::move(*claimed);
    }
    log(claimed.error().message + "; plugin copies go to a temporary directory");
  } else if (!configured.empty()) {
    log("plugin copies go to a temporary directory: sandboxed workers could not reach " + configured.string());
  }
  auto claimed = ClaimedDirectory::claim(fs::temp_directory_path(), "hookhost-plugins-", DirectoryAccess::OthersMayRead);
  if (!claimed) throw std::runtime_error(claimed.error().message);
  return std::move(*claimed);
}

fs::path manifestPathOf(const fs::path& library) {
  fs::path manifest = library;
  manifest.replace_extension(".json");
  return manifest;
}

bool isPluginFile(const fs::directory_entry& entry) {
  std::string name = entry.path().filename().string();
  std::error_code ec;
  return !name.empty() && name.front() != '.' && entry.path().extension() == ".so" &&
         entry.is_regular_file(ec);
}

}  // namespace

PluginDirectory::PluginDirectory(PluginDirectoryOptions options)
    : options_(std::move(options)),
      copies_(claimCopyDir(options_.copyDir, [this](const std::string& line) { log(line); })) {
  loader_ = PluginLoader(copies_.path());
  auto empty = std::make_shared<PluginSnapshot>();
  empty->dir = options_.dir;
  snapshot_ = std::move(empty);
}

PluginDirectory::~PluginDirectory() {
  stop();
  {
    std::lock_guard lock(scanMutex_);
    files_.clear();
  }
  {
    std::lock_guard lock(snapshotMutex_);
    snapshot_.reset();
  }
  // copies_ goes last, with the files of loads still held elsewhere: mapped libraries
  // survive their files being unlinked.
}

void PluginDirectory::setOnChange(ChangeCallback callback) { onChange_ = std::move(callback); }

void PluginDirectory::start() {
  scan(false);
  std::lock_guard lock(stopMutex_);
  if (watcher_.joinable()) return;
  stopping_ = false;
  watcher_ = std::thread([this] { watch(); });
}

void PluginDirectory::stop() {
  {
    std::lock_guard lock(stopMutex_);
    stopping_ = true;
  }
  stopRequested_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

bool PluginDirectory::rescan() { return scan(false); }

void PluginDirectory::watch() {
  std::unique_lock lock(stopMutex_);
  while (!stopping_) {
    stopRequested_.wait_for(lock, options_.pollInterval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    try {
      scan(true);
    } catch (const std::exception& e) {
      log(std::string("plugin directory scan failed: ") + e.what());
    }
    lock.lock();
  }
}

std::map<fs::path, PluginDirectory::Observed> PluginDirectory::observe() const {
  std::map<fs::path, Observed> found;
  std::error_code ec;
  fs::directory_iterator it(options_.dir, ec);
  if (ec) return found;
  for (const auto& entry : it) {
    if (!isPluginFile(entry)) continue;
    struct stat info{};
    if (::stat(entry.path().c_str(), &info) != 0) continue;
    Observed observed;
    observed.library = {info.st_ino, static_cast<std::uintmax_t>(info.st_size),
                        info.st_mtim.tv_sec * 1'000'000'000LL + info.st_mtim.tv_nsec};
    struct stat manifestInfo{};
    if (::stat(manifestPathOf(entry.path()).c_str(), &manifestInfo) == 0) {
      observed.manifest = Signature{manifestInfo.st_ino, static_cast<std::uintmax_t>(manifestInfo.st_size),
                                    manifestInfo.st_mtim.tv_sec * 1'000'000'000LL + manifestInfo.st_mtim.tv_nsec};
    }
    found.emplace(entry.path(), observed);
  }
  return found;
}

bool PluginDirectory::scan(bool settle) {
  std::lock_guard lock(scanMutex_);
  std::error_code ec;
  if (!fs::is_directory(options_.dir, ec)) {
    if (!missingLogged_) log("plugins.dir " + options_.dir.string() + " is not a directory; no plugins loaded");
    missingLogged_ = true;
  } else {
    missingLogged_ = false;
  }
  auto present = observe();
  bool changed = false;
  bool namesFreed = false;

  for (auto it = files_.begin(); it != files_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second.plugin) {
      removedNames_.insert(it->second.plugin->name());
      log("plugin " + it->second.plugin->name() + " removed (" + it->first.string() + ")");
      namesFreed = true;
    }
    pending_.erase(it->first);
    it = files_.erase(it);
    changed = true;
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = present.count(it->first) ? std::next(it) : pending_.erase(it);
  }

  for (const auto& [file, observed] : present) {
    auto known = files_.find(file);
    if (known != files_.end() && known->second.seen == observed) continue;
    if (settle) {
      auto waiting = pending_.find(file);
      if (waiting == pending_.end() || !(waiting->second == observed)) {
        pending_[file] = observed;
        continue;
      }
    }
    pending_.erase(file);
    std::string before = known != files_.end() && known->second.plugin ? known->second.plugin->name() : "";
    attempt(file, observed);
    const FileState& now = files_[file];
    if (!before.empty() && (!now.plugin || now.plugin->name() != before)) namesFreed = true;
    changed = true;
  }

  // A plugin refused as a duplicate may load once the name it clashed with is gone.
  if (namesFreed) {
    for (auto& [file, state] : files_) {
      if (state.error && state.error->code == "duplicate_name") attempt(file, state.seen);
    }
  }

  if (changed) publish();
  return changed;
}

void PluginDirectory::attempt(const fs::path& file, const Observed& observed) {
  FileState& state = files_[file];
  state.seen = observed;
  auto fail = [&](const Error& error) {
    state.error = PluginLoadError{file, error.code, error.message, nowMicros()};
    log("plugin load failed: " + error.message +
        (state.plugin ? " (version " + state.plugin->info().version + " keeps serving)" : ""));
  };

  LoadRequest request;
  request.file = file;
  if (observed.manifest) {
    auto manifest = readManifest(manifestPathOf(file));
    if (!manifest) return fail(manifest.error());
    request.config = manifest->config;
    request.manifest = std::move(*manifest);
  }
  request.hookExists = options_.hookExists;
  request.loadedFrom = [this, &file](const std::string& name) -> std::optional<fs::path> {
    for (const auto& [other, state] : files_) {
      if (other != file && state.plugin && state.plugin->name() == name) return other;
    }
    return std::nullopt;
  };
  request.log = [this](int32_t level, const std::string& line) {
    log(std::string("plugin init [") + logLevelName(level) + "] " + line);
  };

  auto loaded = loader_.load(request);
  if (!loaded) return fail(loaded.error());
  std::shared_ptr<LoadedPlugin> plugin = std::move(*loaded);
  log("plugin " + plugin->name() + " " + plugin->info().version + " loaded from " + file.string() +
      (state.plugin ? " (replacing version " + state.plugin->info().version + ")" : ""));
  if (state.plugin && state.plugin->name() != plugin->name()) removedNames_.insert(state.plugin->name());
  removedNames_.erase(plugin->name());
  state.plugin = std::move(plugin);
  state.error.reset();
}

void PluginDirectory::publish() {
  auto next = std::make_shared<PluginSnapshot>();
  next->dir = options_.dir;
  next->removed = removedNames_;
  for (const auto& [file, state] : files_) {
    if (state.plugin) next->plugins.push_back(state.plugin);
    if (state.error) next->errors.push_back(*state.error);
  }
  std::sort(next->plugins.begin(), next->plugins.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  {
    std::lock_guard lock(snapshotMutex_);
    next->generation = snapshot_->generation + 1;
    snapshot_ = next;
  }
  snapshotChanged_.notify_all();
  if (onChange_) {
    try {
      onChange_(*next);
    } catch (const std::exception& e) {
      log(std::string("plugin change callback failed: ") + e.what());
    }
  }
}

std::shared_ptr<const PluginSnapshot> PluginDirectory::snapshot() const {
  std::lock_guard lock(snapshotMutex_);
  return snapshot_;
}

bool PluginDirectory::waitForGeneration(std::uint64_t generation,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(snapshotMutex_);
  return snapshotChanged_.wait_for(lock, timeout,
                                   [&] { return snapshot_ && snapshot_->generation >= generation; });
}

Result<ResolvedHandler> PluginDirectory::resolve(std::string_view reference) const {
  auto slash = reference.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == reference.size()) {
    return makeError(ErrorKind::BadRequest, "bad_plugin_reference",
                     "plugin reference '" + std::string(reference) + "' is not <plugin>/<handler>");
  }
  std::string name(reference.substr(0, slash));
  std::string handler(reference.substr(slash + 1));
  auto current = snapshot();
  auto plugin = current->find(name);
  if (!plugin) {
    if (current->removed.count(name)) {
      return makeError(ErrorKind::NotFound, "plugin_removed",
                       "plugin '" + name + "' was removed from " + options_.dir.string());
    }
    return makeError(ErrorKind::NotFound, "unknown_plugin", "no plugin named '" + name + "' is loaded");
  }
  if (!plugin->findHandler(handler)) {
    return makeError(ErrorKind::NotFound, "unknown_plugin_handler",
                     "plugin '" + name + "' has no handler '" + handler + "'");
  }
  return ResolvedHandler{std::move(plugin), std::move(handler)};
}

void PluginDirectory::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
    return;
  }
  std::clog << line << '\n';
}

}  // namespace hookhost::plugins
