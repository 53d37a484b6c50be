#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "http/services.hpp"

namespace hookhost::grpc {

/// Where and how the btrdbextras gRPC service listens. It speaks TLS only.
struct EventProcServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (see EventProcServer::port)
  std::string certificatePem;
  std::string privateKeyPem;
  /// The largest request accepted, as REST's http.max_body_bytes (gRPC's default is 4 MiB).
  std::size_t maxMessageBytes = 16u << 20;
};

/// The gRPC server of the btrdbextras EventProcessingService (grpc/event_proc_service.hpp).
/// Keeps gRPC's headers out of its users. Used by the main thread only; `services` must
/// outlive it.
class EventProcServer {
 public:
  EventProcServer(EventProcServerOptions options, http::Services& services);
  ~EventProcServer();
  EventProcServer(const EventProcServer&) = delete;
  EventProcServer& operator=(const EventProcServer&) = delete;

  /// Binds and starts serving. Throws std::runtime_error when it cannot listen (the port is
  /// taken, the certificate or key is not usable PEM).
  void start();
  /// Refuses new calls and lets calls in flight finish (cut after a short grace). Calling it
  /// again does nothing.
  void stop();
  /// The port bound once started (the chosen one when the options said 0); 0 before.
  int port() const { return port_; }

 private:
  struct Running;
  EventProcServerOptions options_;
  http::Services& services_;
  std::unique_ptr<Running> running_;
  int port_ = 0;
};

}  // namespace hookhost::grpc
