#include "registry/handler_request.hpp"



#include "common/clock.hpp"
#include "common/email_address.hpp"
#include "common/webhook_url.hpp"
#include "filter/event_pattern.hpp"
#include "registry/python_fields.hpp"

namespace hookhost::registry {
namespace {

Error invalid(const std::string& field, const std::string& message) {
  return makeError(ErrorKind::Unprocessable, "invalid_" + field, field + ": " + message);
}

bool isBase64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      ++padding;
      if (i < text.size() - 2) return false;
      continue;
    }
    if (padding > 0) return false;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  return padding <= 2;
}

// Reads an optional field of a given JSON type; an absent or null field keeps `fallback`.
template <typename T>
Result<T> optionalField(const nlohmann::json& body, const std::string& key, T fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return invalid(key, "must be a string");
  } else if constexpr (std::is_same_v<T, int>) {
    if (!it->is_number_integer()) return invalid(key, "must be an integer");
    auto value = it->get<std::int64_t>();
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      return invalid(key, "is out of range");
    }
  }
  return it->get<T>();
}

Status checkRange(const std::string& key, int value, int low, int high) {
  if (value < low || value > high) {
    return invalid(key, "must be between " + std::to_string(low) + " and " + std::to_string(high));
  }
  return Ok{};
}

Status checkAddress(const std::string& key, const std::string& address) {
  if (auto problem = notifyDestinationProblem(address)) return invalid(key, *problem);
  return Ok{};
}

bool hasControlCharacters(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The steps of parseRegistration, each filling its part of `spec`, in the order a client
// reads the errors: who the handler is, whom it tells, its code, its limits, its flows.
Status parseIdentity(const nlohmann::json& body, const HookCatalog& catalog, storage::HandlerSpec& spec) {
  auto name = optionalField<std::string>(body, "name", "");
  if (!name) return name.error();
  if (name->empty()) return invalid("name", "is required and must not be empty");
  if (name->size() > 200 || hasControlCharacters(*name)) {
    return invalid("name", "must be at most 200 characters with no control characters");
  }
  spec.name = *name;

  auto hook = optionalField<std::string>(body, "hook", "");
  if (!hook) return hook.error();
  if (hook->empty()) return invalid("hook", "is required");
  if (!catalog.contains(*hook)) {
    return makeError(ErrorKind::NotFound, "unknown_hook", "no hook named '" + *hook + "'; see GET /v1/hooks");
  }
  spec.hook = *hook;
  return Ok{};
}

Status parseNotifyAndTags(const nlohmann::json& body, storage::HandlerSpec& spec) {
  for (auto [key, target] : {std::pair{"notify_on_success", &spec.notifyOnSuccess},
                             std::pair{"notify_on_failure", &spec.notifyOnFailure}}) {
    auto address = optionalField<std::string>(body, key, "");
    if (!address) return address.error();
    if (auto checked = checkAddress(key, *address); !checked) return checked.error();
    *target = isWebhookDestination(*address) ? canonicalWebhookUrl(*address) : *address;
  }

  if (auto tags = body.find("tags"); tags != body.end() && !tags->is_null()) {
    if (!tags->is_array()) return invalid("tags", "must be a list of strings");
    for (const auto& tag : *tags) {
      if (!tag.is_string() || tag.get<std::string>().empty()) return invalid("tags", "must be a list of non-empty strings");
      spec.tags.push_back(tag.get<std::string>());
    }
  }
  return Ok{};
}

Status parseCode(const nlohmann::json& body, const RegistrationRules& rules, storage::HandlerSpec& spec) {
  auto runtimeText = optionalField<std::string>(body, "runtime", "python");
  if (!runtimeText) return runtimeText.error();
  auto runtime = parseRuntime(*runtimeText);
  if (!runtime) return invalid("runtime", "must be \"python\" or \"plugin\"");
  spec.runtime = *runtime;
  if (spec.runtime == Runtime::Python) {
    auto code = optionalField<std::string>(body, "code", "");
    if (!code) return code.error();
    if (!isBase64(*code)) return invalid("code", "must be the base64 of a dill pickle");
    if (code->size() > rules.maxCodeBytes) {
      return invalid("code", "is larger than " + std::to_string(rules.maxCodeBytes) + " bytes");
    }
    spec.code = *code;
    return parsePythonFields(body, spec);
  }
  auto plugin = optionalField<std::string>(body, "plugin", "");
  if (!plugin) return plugin.error();
  auto slash = plugin->find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == plugin->size()) {
    return invalid("plugin", "must name '<plugin name>/<handler name>'");
  }
  if (rules.pluginHandlerExists && !rules.pluginHandlerExists(*plugin)) {
    return invalid("plugin", "no loaded plugin provides '" + *plugin + "'; see GET /v1/plugins");
  }
  spec.plugin = *plugin;
  return Ok{};
}

Status parseConfigAndLimits(const nlohmann::json& body, const RegistrationRules& rules, storage::HandlerSpec& spec) {
  if (auto config = body.find("config"); config != body.end() && !config->is_null()) {
    if (!config->is_object()) return invalid("config", "must be a JSON object");
    spec.config = *config;
  }
  struct Limit {
    const char* key;
    int fallback, low, high;
    int* target;
  };
  for (const Limit& limit : {Limit{"timeout_s", rules.defaultTimeoutS, 1, rules.maxTimeoutS, &spec.timeoutS},
                             Limit{"max_attempts", 1, 1, rules.maxAttempts, &spec.maxAttempts},
                             Limit{"max_concurrency", 0, 0, 100'000, &spec.maxConcurrency}}) {
    auto value = optionalField<int>(body, limit.key, limit.fallback);
    if (!value) return value.error();
    if (auto checked = checkRange(limit.key, *value, limit.low, limit.high); !checked) return checked.error();
    *limit.target = *value;
  }
  return Ok{};
}

Status parseFlows(const nlohmann::json& body, storage::HandlerSpec& spec) {
  if (auto filter = body.find("filter"); filter != body.end()) {
    // Compiled here only to refuse a bad pattern before anything is stored; the store's
    // FilterCache compiles the stored one for fires.
    if (!filter->is_null()) {
      if (auto compiled = filter::EventPattern::compile(*filter); !compiled) return compiled.error();
    }
    spec.filter = *filter;
  }
  if (auto coalesce = body.find("coalesce"); coalesce != body.end() && !coalesce->is_null()) {
    auto settings = jobs::parseCoalesce(*coalesce);
    if (!settings) return settings.error();
    spec.coalesce = *settings;
  }
  return Ok{};
}

}  // namespace

Result<storage::HandlerSpec> parseRegistration(const nlohmann::json& body, const HookCatalog& catalog,
                                               const RegistrationRules& rules) {
  if (!body.is_object()) return makeError(ErrorKind::Unprocessable, "invalid_body", "the body must be a JSON object");
  storage::HandlerSpec spec;
  if (auto step = parseIdentity(body, catalog, spec); !step) return step.error();
  if (auto step = parseNotifyAndTags(body, spec); !step) return step.error();
  if (auto step = parseCode(body, rules, spec); !step) return step.error();
  if (auto step = parseConfigAndLimits(body, rules, spec); !step) return step.error();
  if (auto step = parseFlows(body, spec); !step) return step.error();
  return spec;
}

nlohmann::json handlerToJson(const storage::Handler& handler) {
  const storage::HandlerSpec& spec = handler.spec;
  nlohmann::json out = {
      {"id", handler.id},
      {"name", spec.name},
      {"hook", spec.hook},
      {"version", handler.version},
      {"runtime", runtimeName(spec.runtime)},
      {"notify_on_success", spec.notifyOnSuccess},
      {"notify_on_failure", spec.notifyOnFailure},
      {"tags", spec.tags},
      {"timeout_s", spec.timeoutS},
      {"max_attempts", spec.maxAttempts},
      {"max_concurrency", spec.maxConcurrency},
      {"created_at", formatRfc3339(handler.createdAt)},
      {"created_by", handler.createdBy},
      {"updated_at", formatRfc3339(handler.updatedAt)},
      {"updated_by", handler.updatedBy},
  };
  if (spec.runtime == Runtime::Plugin) out["plugin"] = spec.plugin;
  out["filter"] = spec.filter.value_or(nullptr);
  out["coalesce"] = spec.coalesce ? jobs::coalesceToJson(*spec.coalesce) : nlohmann::json();
  if (spec.runtime == Runtime::Python) out["python_version"] = spec.pythonVersion;
  return out;
}

}  // namespace hookhost::registry
