#include "plugins/call_scope.hpp"

#include <utility>

#include "common/bounded_json.hpp"
namespace hookhost::plugins {
namespace {

using nlohmann::json;

CallScope* scopeOf(hh_ctx* ctx) { return static_cast<CallScope*>(ctx); }

// JSON from a plugin is parsed here so a malformed document is refused at the boundary
// instead of travelling further as text.
std::optional<json> parseBytes(const char* bytes, size_t len) {
  if (!bytes) return std::nullopt;
  auto parsed = parseBoundedJson(std::string_view(bytes, len));
  if (!parsed) return std::nullopt;
  return std::move(parsed).value();
}

// Every function below is called by plugin code through a C table: none may throw.
void apiLog(hh_ctx* ctx, int32_t level, const char* text, size_t len) {
  if (!ctx || !text) return;
  try {
    scopeOf(ctx)->log(level, std::string(text, len));
  } catch (...) {
  }
}

int32_t apiConfigGet(hh_ctx* ctx, const char* key, const char** out, size_t* len) {
  if (!ctx || !key || !out || !len) return HH_ERROR;
  try {
    auto found = scopeOf(ctx)->configLookup(key);
    if (!found) return HH_ERROR;
    *len = found->size();
    *out = scopeOf(ctx)->keep(std::move(*found));
    return HH_OK;
  } catch (...) {
    return HH_ERROR;
  }
}

int32_t refuse(CallScope* scope, const char** error, std::string why) {
  try {
    const char* kept = scope->keep(std::move(why));
    if (error) *error = kept;
  } catch (...) {
    if (error) *error = "out of memory";
  }
  return HH_ERROR;
}

int32_t apiEmit(hh_ctx* ctx, const char* hook, const char* payload, size_t payloadLen,
                const char* tags, size_t tagsLen, const char* key, const char** error) {
  if (!ctx) return HH_ERROR;
  CallScope* scope = scopeOf(ctx);
  try {
    if (!hook || !*hook) return refuse(scope, error, "emit needs a hook name");
    dispatch::EmittedEvent event;
    event.hook = hook;
    auto parsedPayload = parseBytes(payload, payloadLen);
    if (!parsedPayload || !parsedPayload->is_object()) {
      return refuse(scope, error, "emit payload is not a JSON object");
    }
    event.payload = std::move(*parsedPayload);
    if (tags && tagsLen > 0) {
      auto parsedTags = parseBytes(tags, tagsLen);
      if (!parsedTags || !parsedTags->is_array()) {
        return refuse(scope, error, "emit tags are not a JSON array of strings");
      }
      for (const auto& tag : *parsedTags) {
        if (!tag.is_string()) return refuse(scope, error, "emit tags are not a JSON array of strings");
        event.tags.push_back(tag.get<std::string>());
      }
    }
    if (key) event.key = std::string(key);
    auto status = scope->emit(event);
    if (!status) return refuse(scope, error, status.error().message);
    return HH_OK;
  } catch (const std::exception& e) {
    return refuse(scope, error, std::string("emit failed: ") + e.what());
  } catch (...) {
    return refuse(scope, error, "emit failed");
  }
}

int32_t apiUpdate(hh_ctx* ctx, const char* data, size_t len) {
  if (!ctx) return HH_ERROR;
  try {
    auto parsed = parseBytes(data, len);
    if (!parsed) return HH_ERROR;
    return scopeOf(ctx)->update(*parsed) ? HH_OK : HH_ERROR;
  } catch (...) {
    return HH_ERROR;
  }
}

int32_t apiDefer(hh_ctx* ctx, const char* data, size_t len, const char** token,
                 const char** callbackPath) {
  if (!ctx) return HH_ERROR;
  CallScope* scope = scopeOf(ctx);
  try {
    json parsedData = json::object();
    if (data && len > 0) {
      auto parsed = parseBytes(data, len);
      if (!parsed) return refuse(scope, token, "defer data is not JSON");
      parsedData = std::move(*parsed);
    }
    auto ticket = scope->defer(parsedData);
    if (!ticket) return refuse(scope, token, ticket.error().message);
    if (token) *token = scope->keep(ticket->token);
    if (callbackPath) *callbackPath = scope->keep(ticket->callbackPath);
    scope->markDeferred();
    return HH_OK;
  } catch (const std::exception& e) {
    return refuse(scope, token, std::string("defer failed: ") + e.what());
  } catch (...) {
    return refuse(scope, token, "defer failed");
  }
}

void apiSetResult(hh_ctx* ctx, const char* text, size_t len) {
  if (!ctx) return;
  try {
    scopeOf(ctx)->setResult(text ? std::string(text, len) : std::string());
  } catch (...) {
  }
}

void apiSetError(hh_ctx* ctx, const char* text, size_t len) {
  if (!ctx) return;
  try {
    scopeOf(ctx)->setError(text ? std::string(text, len) : std::string());
  } catch (...) {
  }
}

const hh_host_api_v1 kHostApi = {
    sizeof(hh_host_api_v1), HH_PLUGIN_ABI_MAJOR, HH_PLUGIN_ABI_MINOR, 0,
    &apiLog, &apiConfigGet, &apiEmit, &apiUpdate, &apiDefer, &apiSetResult, &apiSetError,
};

std::optional<json> lookup(const json& config, std::string_view key) {
  if (!config.is_object()) return std::nullopt;
  if (!key.empty() && key.front() == '/') {
    try {
      json::json_pointer pointer{std::string(key)};
      if (!config.contains(pointer)) return std::nullopt;
      return config.at(pointer);
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }
  auto it = config.find(std::string(key));
  if (it == config.end()) return std::nullopt;
  return *it;
}

}  // namespace

CallScope::CallScope(json pluginConfig, json handlerConfig)
    : pluginConfig_(std::move(pluginConfig)), handlerConfig_(std::move(handlerConfig)) {}

const hh_host_api_v1* CallScope::hostApi() { return &kHostApi; }

std::optional<std::string> CallScope::configLookup(std::string_view key) const {
  if (auto found = lookup(handlerConfig_, key)) return found->dump();
  if (auto found = lookup(pluginConfig_, key)) return found->dump();
  return std::nullopt;
}

const char* CallScope::keep(std::string text) {
  std::lock_guard lock(mutex_);
  return kept_.emplace_back(std::move(text)).c_str();
}

void CallScope::setResult(std::string text) {
  std::lock_guard lock(mutex_);
  result_ = std::move(text);
}

void CallScope::setError(std::string text) {
  std::lock_guard lock(mutex_);
  error_ = std::move(text);
}

void CallScope::markDeferred() {
  std::lock_guard lock(mutex_);
  deferred_ = true;
}

CallResult CallScope::finish(int32_t status) {
  std::lock_guard lock(mutex_);
  CallResult out;
  switch (status) {
    case HH_OK:
      out.status = dispatch::RunStatus::Succeeded;
      out.result = result_.value_or("");
      return out;
    case HH_ERROR:
      out.error = error_.value_or("the plugin reported failure without a message");
      return out;
    case HH_DEFERRED:
      if (!deferred_) {
        out.error = "the plugin returned HH_DEFERRED without a successful defer";
        return out;
      }
      out.status = dispatch::RunStatus::Deferred;
      return out;
    default:
      out.error = "the plugin returned unknown status " + std::to_string(status);
      if (error_) out.error += ": " + *error_;
      return out;
  }
}

InitScope::InitScope(json pluginConfig, LogSink sink)
    : CallScope(std::move(pluginConfig), json()), sink_(std::move(sink)) {}

void InitScope::log(int32_t level, const std::string& line) {
  if (sink_) sink_(level, line);
}

Status InitScope::update(const json&) {
  return makeError(ErrorKind::Conflict, "not_in_call", "update is only possible during handle");
}

Status InitScope::emit(const dispatch::EmittedEvent&) {
  return makeError(ErrorKind::Conflict, "not_in_call", "emit is only possible during handle");
}

Result<dispatch::DeferTicket> InitScope::defer(const json&) {
  return makeError(ErrorKind::Conflict, "not_in_call", "defer is only possible during handle");
}

const char* logLevelName(int32_t level) {
  switch (level) {
    case HH_LOG_DEBUG: return "debug";
    case HH_LOG_INFO: return "info";
    case HH_LOG_WARN: return "warn";
    case HH_LOG_ERROR: return "error";
    default: return "info";
  }
}

}  // namespace hookhost::plugins
