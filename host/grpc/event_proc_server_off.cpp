// Stands in for event_proc_server.cpp in a build without gRPC (HOOKHOST_GRPC=OFF, as the
// sanitizer build of CI): a host so built refuses a set grpc.port instead of ignoring it.
#include "grpc/event_proc_server.hpp"

#include <stdexcept>

namespace hookhost::grpc {

struct EventProcServer::Running {};

EventProcServer::EventProcServer(EventProcServerOptions options, http::Services& services)
    : options_(std::move(options)), services_(services) {}

EventProcServer::~EventProcServer() = default;

void EventProcServer::start() {
  throw std::runtime_error("grpc.port is set, but this hookhost was built without the gRPC service (HOOKHOST_GRPC=OFF)");
}

void EventProcServer::stop() {}

}  // namespace hookhost::grpc
