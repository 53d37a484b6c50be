#include "grpc/event_proc_server.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "grpc/event_proc_service.hpp"

namespace hookhost::grpc {
namespace {

// How long calls in flight may take to finish once a stop began.
constexpr std::chrono::seconds kStopGrace{5};

std::shared_ptr<::grpc::ServerCredentials> tlsCredentials(const EventProcServerOptions& options) {
  ::grpc::SslServerCredentialsOptions tls;
  tls.pem_key_cert_pairs.push_back({options.privateKeyPem, options.certificatePem});
  return ::grpc::SslServerCredentials(tls);
}

// The btrdbextras client names `host:port/eventproc` as its target; the service must answer
// whatever :authority that gives, so nothing here looks at it.
std::string listenAddress(const EventProcServerOptions& options) {
  const bool ipv6 = options.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
}

}  // namespace

struct EventProcServer::Running {
  explicit Running(http::Services& services) : service(services) {}
  EventProcService service;
  std::unique_ptr<::grpc::Server> server;
};

EventProcServer::EventProcServer(EventProcServerOptions options, http::Services& services)
    : options_(std::move(options)), services_(services) {}

EventProcServer::~EventProcServer() { stop(); }

void EventProcServer::start() {
  auto running = std::make_unique<Running>(services_);
  ::grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(listenAddress(options_), tlsCredentials(options_), &bound);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.maxMessageBytes));
  builder.RegisterService(&running->service);
  running->server = builder.BuildAndStart();
  if (!running->server || bound == 0) {
    throw std::runtime_error("the gRPC service cannot listen on " + listenAddress(options_) +
                             " (port taken, or grpc.tls_cert / grpc.tls_key not a usable PEM certificate and key)");
  }
  port_ = bound;
  running_ = std::move(running);
}

void EventProcServer::stop() {
  if (!running_) return;
  running_->server->Shutdown(std::chrono::system_clock::now() + kStopGrace);
  running_->server->Wait();
  running_.reset();
}

}  // namespace hookhost::grpc
