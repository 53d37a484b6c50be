#include "app/grpc_part.hpp"

#include <fstream>
#include <sstream>

#include <Poco/Logger.h>

namespace hookhost::app {
namespace {

std::string readPemFile(const Config& config, const std::string& key) {
  if (!config.isSet(key) || config.text(key).empty()) {
    throw ConfigError("grpc.port is set, so '" + key + "' must name a PEM file: the gRPC service speaks TLS only");
  }
  std::ifstream in(config.text(key), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) throw ConfigError("'" + key + "': cannot read " + config.text(key));
  return text.str();
}

}  // namespace

GrpcPart::GrpcPart(const Config& config) {
  if (!config.isSet("grpc.port")) return;
  const auto port = config.integer("grpc.port");
  if (port < 0 || port > 65535) throw ConfigError("'grpc.port' must be between 0 and 65535, got " + std::to_string(port));
  options_ = std::make_unique<grpc::EventProcServerOptions>();
  options_->host = config.text("http.host");
  options_->port = static_cast<int>(port);
  options_->certificatePem = readPemFile(config, "grpc.tls_cert");
  options_->privateKeyPem = readPemFile(config, "grpc.tls_key");
  options_->maxMessageBytes = static_cast<std::size_t>(config.integer("http.max_body_bytes"));
}

GrpcPart::~GrpcPart() { stop(); }

void GrpcPart::start(http::Services& services) {
  if (!options_) return;
  server_ = std::make_unique<grpc::EventProcServer>(*options_, services);
  server_->start();
  Poco::Logger::get("hookhost").information("btrdbextras gRPC service listening on %s:%d (TLS)", options_->host,
                                            server_->port());
}

void GrpcPart::stop() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

}  // namespace hookhost::app
