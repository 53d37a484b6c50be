#include "app/http_part.hpp"

#include <Poco/Logger.h>
#include <Poco/Thread.h>

#include "app/http_server_setup.hpp"

namespace hookhost::app {

HttpPart::HttpPart(const Config& config)
    : config_(config),
      socket_(Poco::Net::SocketAddress(config.text("http.host"),
                                       static_cast<Poco::UInt16>(config.integer("http.port")))) {}

HttpPart::~HttpPart() { stop(); }

std::string HttpPart::publicAddress() const {
  if (config_.isSet("http.public_url") && !config_.text("http.public_url").empty()) {
    return config_.text("http.public_url");
  }
  return "http://" + config_.text("http.host") + ":" + std::to_string(port());
}

void HttpPart::start(http::Services& services) {
  // Builds the router: a route registered twice throws here, before listening.
  server_ = makeHttpServer(config_, services, socket_);
  services_ = &services;
  server_->start();
  Poco::Logger::get("hookhost").information("listening on http://%s:%hu", config_.text("http.host"), port());
}

void HttpPart::stop() {
  if (!server_) return;
  services_->shuttingDown = true;
  server_->stop();
  for (int i = 0; i < 50 && server_->currentConnections() > 0; ++i) Poco::Thread::sleep(100);
  server_->stopAll(true);
  server_.reset();
}

}  // namespace hookhost::app
