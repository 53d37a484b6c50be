#pragma once

#include <memory>

#include "app/config.hpp"
#include "grpc/event_proc_server.hpp"
#include "http/services.hpp"

namespace hookhost::app {

/// The btrdbextras-compatible gRPC service (issue 21), on `http.host` at `grpc.port` with
/// the PEM files `grpc.tls_cert` and `grpc.tls_key`; off while `grpc.port` is unset.
class GrpcPart {
 public:
  /// Reads the certificate and key. Throws ConfigError when grpc.port is set but out of
  /// range, or the TLS files are unset or unreadable: the service speaks TLS only.
  explicit GrpcPart(const Config& config);
  ~GrpcPart();

  /// Starts serving `services` (which must outlive it) and logs `btrdbextras gRPC service
  /// listening on HOST:PORT (TLS)`; nothing when off. Throws when it cannot listen.
  void start(http::Services& services);
  void stop();

 private:
  std::unique_ptr<grpc::EventProcServerOptions> options_;  // null: off
  std::unique_ptr<grpc::EventProcServer> server_;
};

}  // namespace hookhost::app
