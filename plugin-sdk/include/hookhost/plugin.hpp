// hookhost plugin SDK: a header-only C++17 helper over the C ABI in plugin_abi.h.
//
// An author writes a class whose handler methods look like
//     std::string summary(hookhost::plugin::Context& ctx, const std::string& payloadJson);
// and names it once:
//     HOOKHOST_PLUGIN(MyPlugin, "my_plugin", "1.0.0",
//         hookhost::plugin::handler("summary", &MyPlugin::summary, {"ctingress.on_complete"}))
// The macro generates hh_plugin_entry_v1(). The class is constructed once per load, from an
// InitContext& if it has such a constructor (else default-constructed), and destroyed at
// shutdown. Exceptions never cross the boundary: every trampoline catches them and reports
// the message through set_error, which fails the init or the job.
//
// Depends only on the C++ standard library: JSON crosses as text. Plugins that want a JSON
// library bring their own; hookhost::plugin::jsonString() quotes a string for hand-built JSON.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hookhost/plugin_abi.h"

namespace hookhost::plugin {

/// Thrown by Context::emit and Context::defer when the host refuses. Left uncaught it fails
/// the job with the host's reason.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What Context::defer returns: the token an outside system presents to the callback path.
struct Deferral {
  std::string token;
  std::string callbackPath;
};

/// `text` as a JSON string literal, quotes included.
inline std::string jsonString(std::string_view text) {
  static const char* const kHex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

/// What init and handle share: logging and config lookup. Valid only during the callback
/// that created it; do not keep it.
class Host {
 public:
  Host(const hh_host_api_v1* api, hh_ctx* ctx) : api_(api), ctx_(ctx) {}

  void log(std::string_view line) const { logAt(HH_LOG_INFO, line); }
  void warn(std::string_view line) const { logAt(HH_LOG_WARN, line); }
  void error(std::string_view line) const { logAt(HH_LOG_ERROR, line); }
  void logAt(int32_t level, std::string_view line) const {
    api_->log(ctx_, level, line.data(), line.size());
  }

  /// A config value as JSON text (handler config first, then plugin config), or nothing.
  /// `key` is a top-level member name or a JSON pointer ("/retry/max").
  std::optional<std::string> config(const char* key) const {
    const char* json = nullptr;
    size_t len = 0;
    if (api_->config_get(ctx_, key, &json, &len) != HH_OK) return std::nullopt;
    return std::string(json, len);
  }

  /// A config value that is a JSON string, unquoted; `fallback` when absent or not a string.
  std::string configString(const char* key, std::string fallback = {}) const {
    auto json = config(key);
    if (!json || json->size() < 2 || json->front() != '"') return fallback;
    std::string out;
    for (size_t i = 1; i + 1 < json->size(); ++i) {
      char c = (*json)[i];
      if (c != '\\' || i + 2 >= json->size()) {
        out += c;
        continue;
      }
      char e = (*json)[++i];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': return fallback;  // keep the helper small; parse JSON yourself for these
        default: out += e;
      }
    }
    return out;
  }

  /// A config value that is a JSON integer; `fallback` when absent or not an integer.
  long long configInt(const char* key, long long fallback = 0) const {
    auto json = config(key);
    if (!json || json->empty()) return fallback;
    size_t used = 0;
    try {
      long long value = std::stoll(*json, &used);
      return used == json->size() ? value : fallback;
    } catch (const std::exception&) {
      return fallback;
    }
  }

 protected:
  const hh_host_api_v1* api_;
  hh_ctx* ctx_;
};

/// Handed to the plugin class's constructor: the plugin-level config.
class InitContext : public Host {
 public:
  InitContext(const hh_host_api_v1* api, hh_ctx* ctx, std::string_view configJson)
      : Host(api, ctx), configJson_(configJson) {}
  std::string_view configJson() const { return configJson_; }

 private:
  std::string_view configJson_;
};

/// One job in progress. Usable from any thread until the handler returns.
class Context : public Host {
 public:
  Context(const hh_host_api_v1* api, hh_ctx* ctx, const hh_call_v1* call)
      : Host(api, ctx), call_(call) {}

  std::int64_t jobId() const { return call_->job_id; }
  std::int64_t eventId() const { return call_->event_id; }
  std::int64_t handlerId() const { return call_->handler_id; }
  int handlerVersion() const { return call_->handler_version; }
  int attempt() const { return call_->attempt; }
  std::string_view handler() const { return orEmpty(call_->handler); }
  std::string_view registeredName() const { return orEmpty(call_->registered_name); }
  std::string_view hook() const { return orEmpty(call_->hook); }
  std::string_view user() const { return orEmpty(call_->user); }
  /// The registration's "config" object as JSON text.
  std::string_view configJson() const {
    return call_->config_json ? std::string_view(call_->config_json, call_->config_len) : "{}";
  }

  /// The events the job runs for, as a JSON array of {"event_id", "hook", "payload", "at"},
  /// oldest first: several for a coalescing handler (the payload handed to the handler is
  /// the last one's), else the one event of the job.
  std::string eventsJson() const {
    const bool hasEvents = call_->struct_size >= HH_CALL_V1_EVENTS_SIZE;
    if (hasEvents && call_->events_json) return std::string(call_->events_json, call_->events_len);
    std::string at = hasEvents && call_->event_at ? call_->event_at : "";
    return "[{\"event_id\":" + std::to_string(call_->event_id) + ",\"hook\":\"" + std::string(hook()) +
           "\",\"payload\":" + std::string(payloadJson_.empty() ? std::string_view("{}") : payloadJson_) +
           ",\"at\":\"" + at + "\"}]";
  }
  /// Set by the entry point before the handler runs.
  void setPayloadJson(std::string_view payloadJson) { payloadJson_ = payloadJson; }

  /// Progress for the job's history; `dataJson` is a JSON object.
  void update(std::string_view dataJson) const {
    api_->update(ctx_, dataJson.data(), dataJson.size());
  }

  /// Fires another event. Throws Refused with the host's reason.
  void emit(const std::string& hook, std::string_view payloadJson,
            std::string_view tagsJson = "[]", const char* key = nullptr) const {
    if (auto why = tryEmit(hook, payloadJson, tagsJson, key)) throw Refused(*why);
  }

  /// Fires another event; returns the host's reason if it refused.
  std::optional<std::string> tryEmit(const std::string& hook, std::string_view payloadJson,
                                     std::string_view tagsJson = "[]",
                                     const char* key = nullptr) const {
    const char* error = nullptr;
    if (api_->emit(ctx_, hook.c_str(), payloadJson.data(), payloadJson.size(), tagsJson.data(),
                   tagsJson.size(), key, &error) == HH_OK) {
      return std::nullopt;
    }
    return std::string(error ? error : "emit refused");
  }

  /// Hands the job to an outside system: the job waits (WAITING) once the handler returns;
  /// the handler's returned text is then ignored. Throws Refused with the host's reason.
  Deferral defer(std::string_view dataJson = "{}") {
    const char* token = nullptr;
    const char* path = nullptr;
    if (api_->defer(ctx_, dataJson.data(), dataJson.size(), &token, &path) != HH_OK) {
      throw Refused(token ? token : "defer refused");
    }
    deferred_ = true;
    return Deferral{token ? token : "", path ? path : ""};
  }
  bool deferred() const { return deferred_; }

 private:
  static std::string_view orEmpty(const char* text) { return text ? text : ""; }

  const hh_call_v1* call_;
  std::string_view payloadJson_;
  bool deferred_ = false;
};

/// One handler: a member function of the plugin class, and what it is for.
template <typename Plugin>
struct Handler {
  using Method = std::string (Plugin::*)(Context&, const std::string&);
  const char* name;
  Method method;
  std::vector<const char*> hooks;
  std::vector<const char*> tags;
  const char* description;
};

/// Describes one handler for HOOKHOST_PLUGIN.
template <typename Plugin>
Handler<Plugin> handler(const char* name, std::string (Plugin::*method)(Context&, const std::string&),
                        std::initializer_list<const char*> hooks,
                        std::initializer_list<const char*> tags = {},
                        const char* description = nullptr) {
  return Handler<Plugin>{name, method, hooks, tags, description};
}

// Hidden: with default visibility GCC makes the statics below STB_GNU_UNIQUE, which the
// dynamic linker merges across every loaded copy of the plugin, so a replaced plugin's new
// version would run the old version's handlers.
#if defined(__GNUC__)
#define HOOKHOST_PLUGIN_HIDDEN __attribute__((visibility("hidden")))
#else
#define HOOKHOST_PLUGIN_HIDDEN
#endif

namespace HOOKHOST_PLUGIN_HIDDEN detail {

template <typename Plugin>
struct Registry {
  std::vector<Handler<Plugin>> specs;
  std::vector<std::vector<const char*>> hookLists;
  std::vector<std::vector<const char*>> tagLists;
  std::vector<hh_handler_v1> handlers;
  hh_plugin_v1 plugin{};
};

template <typename Plugin>
inline Registry<Plugin>* registry = nullptr;

template <typename Plugin>
struct State {
  const hh_host_api_v1* api;
  Plugin* object;
};

inline void reportError(const hh_host_api_v1* api, hh_ctx* ctx, const char* what) noexcept {
  if (api && api->set_error) api->set_error(ctx, what, std::strlen(what));
}

template <typename Plugin>
int32_t initTrampoline(const hh_host_api_v1* api, hh_ctx* ctx, const char* config,
                       size_t configLen, void** state) noexcept {
  try {
    InitContext init(api, ctx, std::string_view(config ? config : "{}", config ? configLen : 2));
    Plugin* object;
    if constexpr (std::is_constructible_v<Plugin, InitContext&>) {
      object = new Plugin(init);
    } else {
      object = new Plugin();
    }
    *state = new State<Plugin>{api, object};
    return HH_OK;
  } catch (const std::exception& e) {
    reportError(api, ctx, e.what());
  } catch (...) {
    reportError(api, ctx, "unknown exception in plugin init");
  }
  return HH_ERROR;
}

template <typename Plugin>
int32_t handleTrampoline(void* rawState, hh_ctx* ctx, const hh_call_v1* call, const char* payload,
                         size_t payloadLen) noexcept {
  auto* state = static_cast<State<Plugin>*>(rawState);
  try {
    const Handler<Plugin>* spec = nullptr;
    for (const auto& candidate : registry<Plugin>->specs) {
      if (call->handler && std::strcmp(candidate.name, call->handler) == 0) spec = &candidate;
    }
    if (!spec) {
      std::string why = std::string("no handler named '") + (call->handler ? call->handler : "") + "'";
      reportError(state->api, ctx, why.c_str());
      return HH_ERROR;
    }
    Context context(state->api, ctx, call);
    std::string payloadJson(payload ? payload : "{}", payload ? payloadLen : 2);
    context.setPayloadJson(payloadJson);
    std::string result = (state->object->*(spec->method))(context, payloadJson);
    if (context.deferred()) return HH_DEFERRED;
    state->api->set_result(ctx, result.data(), result.size());
    return HH_OK;
  } catch (const std::exception& e) {
    reportError(state->api, ctx, e.what());
  } catch (...) {
    reportError(state->api, ctx, "unknown exception in plugin handler");
  }
  return HH_ERROR;
}

template <typename Plugin>
void shutdownTrampoline(void* rawState) noexcept {
  auto* state = static_cast<State<Plugin>*>(rawState);
  try {
    delete state->object;
  } catch (...) {
    // A destructor that throws has nowhere to report to; the host is shutting this load down.
  }
  delete state;
}

template <typename Plugin>
Registry<Plugin>* build(const char* name, const char* version,
                        std::initializer_list<Handler<Plugin>> specs) {
  auto* reg = new Registry<Plugin>();
  reg->specs.assign(specs.begin(), specs.end());
  reg->hookLists.reserve(specs.size());
  reg->tagLists.reserve(specs.size());
  for (const auto& spec : reg->specs) {
    reg->hookLists.push_back(spec.hooks);
    reg->hookLists.back().push_back(nullptr);
    reg->tagLists.push_back(spec.tags);
    reg->tagLists.back().push_back(nullptr);
    reg->handlers.push_back(hh_handler_v1{spec.name, reg->hookLists.back().data(),
                                          reg->tagLists.back().data(), spec.description});
  }
  hh_plugin_v1& p = reg->plugin;
  p.struct_size = sizeof(hh_plugin_v1);
  p.abi_major = HH_PLUGIN_ABI_MAJOR;
  p.abi_minor = HH_PLUGIN_ABI_MINOR;
  p.handler_struct_size = sizeof(hh_handler_v1);
  p.name = name;
  p.version = version;
  p.handlers = reg->handlers.data();
  p.handler_count = static_cast<uint32_t>(reg->handlers.size());
  p.init = &initTrampoline<Plugin>;
  p.handle = &handleTrampoline<Plugin>;
  p.shutdown = &shutdownTrampoline<Plugin>;
  return reg;
}

// The description is built once and kept for as long as the library is mapped, which for
// hookhost is forever.
template <typename Plugin>
const hh_plugin_v1* describe(const char* name, const char* version,
                             std::initializer_list<Handler<Plugin>> specs) noexcept {
  try {
    static Registry<Plugin>* built = build<Plugin>(name, version, specs);
    registry<Plugin> = built;
    return &built->plugin;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace detail
}  // namespace hookhost::plugin

/// Generates the plugin's entry point. The trailing arguments are hookhost::plugin::handler(...)
/// descriptions; braces inside them are fine.
#define HOOKHOST_PLUGIN(PluginClass, pluginName, pluginVersion, ...)                       \
  extern "C" HH_PLUGIN_EXPORT const hh_plugin_v1* hh_plugin_entry_v1(void) {               \
    return ::hookhost::plugin::detail::describe<PluginClass>(pluginName, pluginVersion,    \
                                                             {__VA_ARGS__});               \
  }
