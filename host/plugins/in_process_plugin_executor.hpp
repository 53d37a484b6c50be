#pragma once

#include "dispatch/executor.hpp"
#include "plugins/plugin_directory.hpp"

namespace hookhost::plugins {

/// Runs trusted plugins' handlers directly on the dispatcher thread that calls run(): the
/// fastest path, and the least safe, which is why only plugins in plugins.trusted may use it
/// (the caller checks). The request's `plugin` ("<plugin>/<handler>") is resolved in the
/// directory's current snapshot, so a replaced plugin's new version takes the call while
/// calls already inside the old version finish there.
///
/// The request's timeout cannot be enforced in-process: a plugin that never returns holds
/// its dispatcher thread, and a crash takes the host down. Untrusted plugins run isolated.
/// Thread-safe; `directory` must outlive the executor.
class InProcessPluginExecutor : public dispatch::Executor {
 public:
  explicit InProcessPluginExecutor(const PluginDirectory& directory);

  dispatch::RunOutcome run(const dispatch::RunRequest& request,
                           dispatch::RunContext& context) override;

 private:
  const PluginDirectory& directory_;
};

}  // namespace hookhost::plugins
