#pragma once

#include "plugins/plugin_snapshot.hpp"
#include "registry/hook_catalog.hpp"
#include "storage/store.hpp"

namespace hookhost::app {

/// Registers the handlers that plugins' `<name>.json` manifests ask for, as the built-in
/// user `hookhost`. A handler already registered with the same settings is left alone, so
/// restarts and rescans do not bump versions; a changed manifest replaces it.
void registerManifestHandlers(storage::Store& store, const registry::HookCatalog& catalog,
                              const plugins::PluginSnapshot& snapshot);

/// The built-in user that owns manifest registrations; created on first use, with a key
/// nobody holds.
storage::User pluginOwner(storage::Store& store);

}  // namespace hookhost::app
