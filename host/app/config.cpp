#include "app/config.hpp"

#include <algorithm>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "common/clock.hpp"

extern char** environ;

namespace hookhost::app {
namespace {

enum class Kind { Text, Integer, Flag, Duration, List, Map };

struct KeySpec {
  Kind kind;
  nlohmann::json fallback;  // null = unset
  const char* example = "\"30s\"";  // shown when a duration is malformed
};

int defaultWorkers() {
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(cores == 0 ? 4 : cores * 2);
}

const std::map<std::string, KeySpec>& knownKeys() {
  static const std::map<std::string, KeySpec> keys = {
      {"http.host", {Kind::Text, "127.0.0.1"}},
      {"http.port", {Kind::Integer, 8080}},
      {"http.max_body_bytes", {Kind::Integer, 16 * 1024 * 1024}},
      {"http.threads", {Kind::Integer, 64}},
      {"http.public_url", {Kind::Text, nullptr}},
      // Connection-flood and memory bounds of the HTTP server (app/http_server_setup.cpp).
      {"http.header_timeout_ms", {Kind::Integer, 5000}},
      {"http.max_connections_per_client", {Kind::Integer, 32}},
      {"http.body_budget_bytes", {Kind::Integer, nullptr}},
      {"http.health_detail", {Kind::Flag, false}},
      {"data.dir", {Kind::Text, "./var"}},
      {"data.url", {Kind::Text, nullptr}},
      {"data.retention", {Kind::Duration, "30d", "\"30d\" or \"12h\" (0 keeps everything)"}},
      {"hooks.dir", {Kind::Text, nullptr}},
      {"plugins.dir", {Kind::Text, nullptr}},
      {"plugins.trusted", {Kind::List, nlohmann::json::array()}},
      {"dispatch.workers", {Kind::Integer, defaultWorkers()}},
      {"dispatch.max_queued", {Kind::Integer, 100000}},
      {"dispatch.max_chain_depth", {Kind::Integer, 8}},
      {"dispatch.lease", {Kind::Duration, "30s"}},
      // How long an idle dispatcher waits before it looks at the queue again by itself (retries
      // coming due; on PostgreSQL, work other hosts queued while their notification was lost).
      {"dispatch.poll_interval", {Kind::Duration, "500ms", "\"500ms\" or \"2s\""}},
      {"dispatch.retry_base", {Kind::Duration, "1s"}},
      {"dispatch.retry_max", {Kind::Duration, "5m"}},
      {"dispatch.callback_ttl", {Kind::Duration, "72h"}},
      // How long a stop waits for running jobs before abandoning them to the next start.
      {"dispatch.drain_timeout", {Kind::Duration, "30s"}},
      {"mail.from", {Kind::Text, "hookhost@localhost"}},
      {"mail.smtp.host", {Kind::Text, nullptr}},
      {"mail.smtp.port", {Kind::Integer, 25}},
      {"mail.smtp.user", {Kind::Text, nullptr}},
      {"mail.smtp.password", {Kind::Text, nullptr}},
      {"mail.smtp.starttls", {Kind::Flag, false}},
      {"mail.spool_dir", {Kind::Text, nullptr}},
      {"mail.give_up_after", {Kind::Duration, "5d"}},
      {"mail.retry_min", {Kind::Duration, "30s"}},
      {"mail.retry_max", {Kind::Duration, "1h"}},
      {"notify.webhook.allow", {Kind::List, nlohmann::json::array()}},
      {"sandbox.python", {Kind::Text, "/usr/bin/python3"}},
      // Python version -> interpreter ({"3.11": "/usr/bin/python3.11"}); unset = sandbox.python alone.
      {"sandbox.pythons", {Kind::Map, nullptr}},
      {"sandbox.user", {Kind::Text, nullptr}},
      {"sandbox.network", {Kind::Flag, false}},
      {"sandbox.memory_mb", {Kind::Integer, 1024}},
      {"sandbox.cpu_s", {Kind::Integer, 60}},
      {"sandbox.max_procs", {Kind::Integer, 64}},
      {"sandbox.default_timeout_s", {Kind::Integer, 60}},
      // The worker pool's size and turnover; unset, the sandbox's own defaults apply.
      {"sandbox.max_workers", {Kind::Integer, nullptr}},
      {"sandbox.max_workers_per_key", {Kind::Integer, nullptr}},
      {"sandbox.idle_timeout_s", {Kind::Integer, nullptr}},
      {"sandbox.recycle_after_runs", {Kind::Integer, nullptr}},
      // Live output (DESIGN.md): kept per job, and the bounds on its followers.
      {"sandbox.output_max_bytes", {Kind::Integer, 1024 * 1024}},
      {"http.max_followers", {Kind::Integer, 16}},
      {"http.follow_timeout", {Kind::Duration, "10m"}},
      // The btrdbextras-compatible gRPC service (app/grpc_part.cpp): unset port = off.
      {"grpc.port", {Kind::Integer, nullptr}},
      {"grpc.tls_cert", {Kind::Text, nullptr}},
      {"grpc.tls_key", {Kind::Text, nullptr}},
  };
  return keys;
}

// Accepts both nested objects ({"http": {"port": 1}}) and dotted keys ({"http.port": 1}).
void flatten(const nlohmann::json& node, const std::string& prefix, std::map<std::string, nlohmann::json>& out) {
  for (const auto& [name, value] : node.items()) {
    std::string key = prefix.empty() ? name : prefix + "." + name;
    if (value.is_object() && !knownKeys().count(key)) {
      flatten(value, key, out);
      continue;
    }
    out[key] = value;
  }
}

nlohmann::json checked(const std::string& key, const KeySpec& spec, const nlohmann::json& value,
                       const std::string& origin) {
  auto fail = [&](const std::string& want) -> nlohmann::json {
    throw ConfigError(origin + ": '" + key + "' must be " + want + ", got " + value.dump());
  };
  if (value.is_null()) return value;
  switch (spec.kind) {
    case Kind::Text:
      return value.is_string() ? value : fail("a string");
    case Kind::Integer:
      return value.is_number_integer() ? value : fail("an integer");
    case Kind::Flag:
      return value.is_boolean() ? value : fail("true or false");
    case Kind::Duration:
      if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value;
      if (value.is_string() && parseDuration(value.get<std::string>())) return value;
      return fail(std::string("a duration such as ") + spec.example);
    case Kind::List:
      if (!value.is_array()) return fail("a list of strings");
      for (const auto& item : value) {
        if (!item.is_string()) return fail("a list of strings");
      }
      return value;
    case Kind::Map:
      if (!value.is_object()) return fail("an object of strings");
      for (const auto& item : value) {
        if (!item.is_string()) return fail("an object of strings");
      }
      return value;
  }
  return value;
}

// Environment values are text; read them as the key's type.
nlohmann::json fromEnvironment(const std::string& key, const KeySpec& spec, const std::string& text) {
  const std::string origin = "environment variable " + Config::environmentName(key);
  switch (spec.kind) {
    case Kind::Text:
    case Kind::Duration:
      return checked(key, spec, text, origin);
    case Kind::Integer: {
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      return checked(key, spec, parsed.is_discarded() ? nlohmann::json(text) : parsed, origin);
    }
    case Kind::Flag:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      return checked(key, spec, text, origin);
    case Kind::List: {
      nlohmann::json items = nlohmann::json::array();
      std::size_t start = 0;
      while (start <= text.size() && !text.empty()) {
        std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) items.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return items;
    }
    case Kind::Map: {
      // JSON ({"3.11": "/usr/bin/python3.11"}) or "3.11=/usr/bin/python3.11,3.12=/opt/py/bin/python3".
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      if (!parsed.is_discarded()) return checked(key, spec, parsed, origin);
      nlohmann::json items = nlohmann::json::object();
      std::size_t start = 0;
      while (start < text.size()) {
        std::size_t comma = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, comma - start);
        std::size_t equals = item.find('=');
        if (equals == std::string::npos) return checked(key, spec, text, origin);
        items[item.substr(0, equals)] = item.substr(equals + 1);
        start = comma + 1;
      }
      return items;
    }
  }
  return text;
}

}  // namespace

std::string Config::environmentName(const std::string& key) {
  std::string name = "HOOKHOST_";
  for (char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::map<std::string, std::string> Config::processEnvironment() {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    auto equals = text.find('=');
    if (equals != std::string::npos) variables[text.substr(0, equals)] = text.substr(equals + 1);
  }
  return variables;
}

Config Config::load(const std::optional<std::filesystem::path>& file,
                    const std::map<std::string, std::string>& environment) {
  Config config;
  for (const auto& [key, spec] : knownKeys()) config.values_[key] = spec.fallback;

  if (file) {
    std::ifstream in(*file);
    if (!in) throw ConfigError(file->string() + ": cannot read the config file");
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& error) {
      throw ConfigError(file->string() + ": not valid JSON: " + error.what());
    }
    if (!doc.is_object()) throw ConfigError(file->string() + ": must hold a JSON object");
    std::map<std::string, nlohmann::json> flat;
    flatten(doc, "", flat);
    for (const auto& [key, value] : flat) {
      auto known = knownKeys().find(key);
      if (known == knownKeys().end()) {
        config.unknownKeys_.push_back(key);
        continue;
      }
      config.values_[key] = checked(key, known->second, value, file->string());
    }
  }
  for (const auto& [key, spec] : knownKeys()) {
    auto variable = environment.find(environmentName(key));
    if (variable != environment.end()) config.values_[key] = fromEnvironment(key, spec, variable->second);
  }
  return config;
}

bool Config::isSet(const std::string& key) const {
  auto it = values_.find(key);
  return it != values_.end() && !it->second.is_null() && !(it->second.is_string() && it->second.get<std::string>().empty());
}

std::string Config::text(const std::string& key) const {
  return isSet(key) ? values_.at(key).get<std::string>() : std::string();
}

std::int64_t Config::integer(const std::string& key) const {
  return isSet(key) ? values_.at(key).get<std::int64_t>() : 0;
}

bool Config::flag(const std::string& key) const { return isSet(key) && values_.at(key).get<bool>(); }

std::optional<std::string> Config::textOf(const std::string& key) const {
  if (!isSet(key)) return std::nullopt;
  const auto& value = values_.at(key);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::chrono::milliseconds Config::duration(const std::string& key) const {
  if (!isSet(key)) return std::chrono::milliseconds(0);
  const auto& value = values_.at(key);
  if (value.is_number_integer()) return std::chrono::seconds(value.get<std::int64_t>());
  return *parseDuration(value.get<std::string>());
}

std::vector<std::string> Config::list(const std::string& key) const {
  if (!isSet(key)) return {};
  return values_.at(key).get<std::vector<std::string>>();
}

std::map<std::string, std::string> Config::map(const std::string& key) const {
  if (!isSet(key)) return {};
  return values_.at(key).get<std::map<std::string, std::string>>();
}

std::filesystem::path executableDirectory() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::current_path();
  return self.parent_path();
}

std::filesystem::path bundledPath(const std::string& relative) {
  return (executableDirectory().parent_path() / relative).lexically_normal();
}

}  // namespace hookhost::app
