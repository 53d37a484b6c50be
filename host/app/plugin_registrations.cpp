#include "app/plugin_registrations.hpp"

#include <Poco/Logger.h>

#include "auth/api_keys.hpp"

namespace hookhost::app {
namespace {

constexpr const char* kOwnerName = "hookhost";

bool sameSettings(const storage::Handler& existing, const storage::HandlerSpec& wanted) {
  const auto& spec = existing.spec;
  return spec.runtime == wanted.runtime && spec.plugin == wanted.plugin && spec.tags == wanted.tags &&
         spec.notifyOnSuccess == wanted.notifyOnSuccess && spec.notifyOnFailure == wanted.notifyOnFailure &&
         spec.config == wanted.config && spec.timeoutS == wanted.timeoutS && spec.maxAttempts == wanted.maxAttempts &&
         spec.filter == wanted.filter &&

         (spec.coalesce ? jobs::coalesceToJson(*spec.coalesce) : nlohmann::json()) ==
             (wanted.coalesce ? jobs::coalesceToJson(*wanted.coalesce) : nlohmann::json());
}

}  // namespace

storage::User pluginOwner(storage::Store& store) {
  for (const auto& user : store.listUsers()) {
    if (user.name == kOwnerName) return user;
  }
  auto created = auth::addUser(store, kOwnerName, "hookhost@localhost", storage::Role::Admin);
  if (created) return created->user;
  for (const auto& user : store.listUsers()) {  // created concurrently by another host
    if (user.name == kOwnerName) return user;
  }
  throw std::runtime_error("cannot create the user that owns plugin registrations: " + created.error().message);
}

void registerManifestHandlers(storage::Store& store, const registry::HookCatalog& catalog,
                              const plugins::PluginSnapshot& snapshot) {
  Poco::Logger& log = Poco::Logger::get("hookhost.plugins");
  for (const auto& plugin : snapshot.plugins) {
    const auto& manifest = plugin->info().manifest;
    if (!manifest) continue;
    for (const auto& wanted : manifest->handlers) {
      if (!catalog.contains(wanted.hook)) continue;  // the loader already reported it
      storage::HandlerSpec spec;
      spec.name = wanted.name;
      spec.hook = wanted.hook;
      spec.runtime = Runtime::Plugin;
      spec.plugin = plugin->name() + "/" + wanted.handler;
      spec.config = wanted.config;
      spec.tags = wanted.tags;
      spec.notifyOnSuccess = wanted.notifyOnSuccess;
      spec.notifyOnFailure = wanted.notifyOnFailure;
      spec.timeoutS = wanted.timeoutS.value_or(spec.timeoutS);
      spec.maxAttempts = wanted.maxAttempts.value_or(spec.maxAttempts);
      spec.filter = wanted.filter;  // null when the manifest names none: the manifest is the whole setting
      spec.coalesce = wanted.coalesce;
      bool current = false;
      for (const auto& existing : store.listHandlers({spec.hook})) {
        current = current || (existing.spec.name == spec.name && sameSettings(existing, spec));
      }
      if (current) continue;
      auto registered = store.registerHandler(spec, pluginOwner(store));
      if (!registered) {
        log.error("plugin %s: cannot register handler '%s' for %s: %s", plugin->name(), spec.name, spec.hook,
                  registered.error().message);
        continue;
      }
      log.information("plugin %s: registered handler '%s' for %s (version %d)", plugin->name(), spec.name, spec.hook,
                      registered->handler.version);
      // A manifest has no registration answer to show the secret in; the log is the host
      // owner's, who holds the store the secret is kept in anyway.
      if (registered->newWebhookSecret) {
        log.information("plugin %s: handler '%s' signs its webhooks with %s (shown once)", plugin->name(), spec.name,
                        *registered->newWebhookSecret);
      }
    }
  }
}

}  // namespace hookhost::app
