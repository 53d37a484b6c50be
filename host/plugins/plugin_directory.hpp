#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "common/claimed_directory.hpp"
#include "common/result.hpp"
#include "plugins/plugin_loader.hpp"
#include "plugins/plugin_snapshot.hpp"

namespace hookhost::plugins {

struct PluginDirectoryOptions {
  std::filesystem::path dir;  // plugins.dir
  /// Below which private versioned copies of loaded libraries go (isolated workers load these,
  /// so a sandbox must be able to read them): in this directory's own `run-XXXXXX` (see
  /// ClaimedDirectory; removed when the PluginDirectory is destroyed, or by the next start
  /// after a crash). Empty, or under a directory others cannot search: a
  /// `hookhost-plugins-XXXXXX` under the system temp dir instead. A copy's file is removed as
  /// soon as no load uses it (LibraryCopy).
  std::filesystem::path copyDir;
  /// Whether a hook is in the catalog; unset = every hook exists.
  std::function<bool(const std::string& hook)> hookExists;
  /// How often the watcher looks at the directory. A changed file is loaded once it looks the
  /// same on two consecutive polls, so a file still being copied in is not loaded half-written.
  std::chrono::milliseconds pollInterval{500};
  /// Where load/unload/error lines go; unset = std::clog.
  std::function<void(const std::string& line)> log;
};

/// A plugin handler picked for a new call: the plugin load stays alive (and its shutdown
/// deferred) for as long as the caller holds it.
struct ResolvedHandler {
  std::shared_ptr<const LoadedPlugin> plugin;
  std::string handler;
};

/// plugins.dir, loaded and watched. Every `*.so` in the directory is loaded (with the
/// `<same name>.json` manifest beside it, if any); files added, replaced or removed while the
/// host runs are picked up by a polling watcher thread. A replaced file's new version takes
/// new calls while calls already running on the old one finish on it; a removed plugin stops
/// taking new calls. Libraries are never unmapped. A file that fails to load is reported in
/// the snapshot's errors and the log; if it replaced a good version, that version keeps
/// serving. Thread-safe.
class PluginDirectory {
 public:
  /// Called after every change with the new snapshot, on the thread that scanned (start()'s
  /// caller for the first scan, then the watcher thread); calls never overlap.
  using ChangeCallback = std::function<void(const PluginSnapshot& snapshot)>;

  explicit PluginDirectory(PluginDirectoryOptions options);
  ~PluginDirectory();
  PluginDirectory(const PluginDirectory&) = delete;
  PluginDirectory& operator=(const PluginDirectory&) = delete;

  /// Set before start().
  void setOnChange(ChangeCallback callback);

  /// Loads everything now (returns when done), then starts watching.
  void start();
  /// Stops watching; loaded plugins stay available. Idempotent.
  void stop();

  /// One immediate pass over the directory, without waiting for files to settle. Returns
  /// whether anything changed.
  bool rescan();

  std::shared_ptr<const PluginSnapshot> snapshot() const;

  /// Waits until the snapshot's generation is at least `generation`; false on timeout.
  bool waitForGeneration(std::uint64_t generation, std::chrono::milliseconds timeout) const;

  /// "<plugin>/<handler>" in the current snapshot. NotFound errors: "no plugin named 'p' is
  /// loaded", "plugin 'p' was removed from <dir>", "plugin 'p' has no handler 'h'";
  /// BadRequest: "plugin reference 'x' is not <plugin>/<handler>".
  Result<ResolvedHandler> resolve(std::string_view reference) const;

 private:
  struct Signature {
    std::uintmax_t inode = 0;
    std::uintmax_t size = 0;
    std::int64_t mtimeNs = 0;
    bool operator==(const Signature&) const = default;
  };
  struct Observed {
    Signature library;
    std::optional<Signature> manifest;
    bool operator==(const Observed&) const = default;
  };
  struct FileState {
    Observed seen;                                 // what the last load attempt saw
    std::shared_ptr<const LoadedPlugin> plugin;    // the version taking new calls, if any
    std::optional<PluginLoadError> error;          // the last attempt's failure, if any
  };

  bool scan(bool settle);
  std::map<std::filesystem::path, Observed> observe() const;
  void attempt(const std::filesystem::path& file, const Observed& observed);
  void publish();
  void watch();
  void log(const std::string& line) const;

  PluginDirectoryOptions options_;
  ClaimedDirectory copies_;
  PluginLoader loader_;
  ChangeCallback onChange_;

  std::mutex scanMutex_;  // one scan at a time; guards the fields below
  std::map<std::filesystem::path, FileState> files_;
  std::map<std::filesystem::path, Observed> pending_;  // changed, waiting to settle
  std::set<std::string> removedNames_;
  bool missingLogged_ = false;

  mutable std::mutex snapshotMutex_;
  mutable std::condition_variable snapshotChanged_;
  std::shared_ptr<const PluginSnapshot> snapshot_;

  std::mutex stopMutex_;
  std::condition_variable stopRequested_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace hookhost::plugins
