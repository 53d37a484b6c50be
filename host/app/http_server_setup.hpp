#pragma once

#include <memory>

#include <Poco/Net/ServerSocket.h>

#include "app/config.hpp"
#include "http/api_server.hpp"
#include "http/services.hpp"

namespace hookhost::app {

/// The limits of the REST server from the `http.*` keys (threads, header timeout,
/// connections per client, body budget); ConfigError when a value is out of range.
http::ServerLimits httpServerLimits(const Config& config);

/// The REST server of `serve` on `socket`, not yet started; also applies the `http.*` keys
/// that shape what routes answer (`http.health_detail`). `services` must outlive it.
std::unique_ptr<http::ApiServer> makeHttpServer(const Config& config, http::Services& services,
                                                const Poco::Net::ServerSocket& socket);

}  // namespace hookhost::app
