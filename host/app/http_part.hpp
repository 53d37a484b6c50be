#pragma once

#include <memory>
#include <string>

#include <Poco/Net/ServerSocket.h>

#include "app/config.hpp"
#include "http/api_server.hpp"
#include "http/services.hpp"

namespace hookhost::app {

/// The REST API's HTTP server. The socket is bound at construction, before anything
/// starts, so the host's address is known when it joins the host list.
class HttpPart {
 public:
  explicit HttpPart(const Config& config);
  ~HttpPart();

  std::uint16_t port() const { return socket_.address().port(); }
  /// `http.public_url`, else the address bound.
  std::string publicAddress() const;

  /// Starts serving `services`, which must outlive the server. Throws when the routes are
  /// inconsistent (a double registration).
  void start(http::Services& services);
  /// New requests get 503; requests in flight finish (a fire that committed gets its
  /// answer); idle keep-alive connections and long ?wait= calls are cut after a short grace.
  void stop();

 private:
  const Config& config_;
  Poco::Net::ServerSocket socket_;
  http::Services* services_ = nullptr;
  std::unique_ptr<http::ApiServer> server_;
};

}  // namespace hookhost::app
