#include "app/http_server_setup.hpp"

#include <string>

namespace hookhost::app {
namespace {

std::int64_t positive(const Config& config, const std::string& key) {
  std::int64_t value = config.integer(key);
  if (value <= 0) throw ConfigError(key + " must be a positive number, not " + std::to_string(value));
  return value;
}

}  // namespace

http::ServerLimits httpServerLimits(const Config& config) {
  http::ServerLimits limits;
  limits.threads = static_cast<int>(positive(config, "http.threads"));
  limits.headerTimeout = std::chrono::milliseconds(positive(config, "http.header_timeout_ms"));
  limits.maxConnectionsPerClient = static_cast<std::size_t>(positive(config, "http.max_connections_per_client"));
  const auto maxBody = static_cast<std::size_t>(positive(config, "http.max_body_bytes"));
  // Unset: room for four bodies at the limit at once, whatever the limit is.
  limits.bodyBudgetBytes = config.isSet("http.body_budget_bytes")
                               ? static_cast<std::size_t>(positive(config, "http.body_budget_bytes"))
                               : 4 * maxBody;
  return limits;
}

std::unique_ptr<http::ApiServer> makeHttpServer(const Config& config, http::Services& services,
                                                const Poco::Net::ServerSocket& socket) {
  services.healthDetailPublic = config.flag("http.health_detail");
  return std::make_unique<http::ApiServer>(services, socket, httpServerLimits(config));
}

}  // namespace hookhost::app
