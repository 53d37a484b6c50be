#pragma once

#include "eventprocapi.grpc.pb.h"
#include "http/services.hpp"

namespace hookhost::grpc {

/// The btrdbextras EventProcessingService as a front end of the REST API's services: each
/// method authenticates the call's `authorization: Bearer <key>` metadata, applies the
/// roles of the REST route it stands for (GET /v1/hooks, GET /v1/handlers, POST
/// /v1/handlers, DELETE /v1/handlers/{id}) and goes the path that route goes, so both
/// answer alike. A refusal carries its REST machine code as trailing metadata
/// `hookhost-error-code`. Called from gRPC's threads; `services` must outlive it.
class EventProcService final : public eventprocapi::EventProcessingService::Service {
 public:
  explicit EventProcService(http::Services& services) : services_(services) {}

  ::grpc::Status ListHooks(::grpc::ServerContext* context, const eventprocapi::ListHooksRequest* request,
                           eventprocapi::ListHooksResponse* response) override;
  ::grpc::Status ListHandlers(::grpc::ServerContext* context, const eventprocapi::ListHandlersRequest* request,
                              eventprocapi::ListHandlersResponse* response) override;
  ::grpc::Status Register(::grpc::ServerContext* context, const eventprocapi::RegisterRequest* request,
                          eventprocapi::RegisterResponse* response) override;
  ::grpc::Status Deregister(::grpc::ServerContext* context, const eventprocapi::DeregisterRequest* request,
                            eventprocapi::DeregisterResponse* response) override;

 private:
  http::Services& services_;
};

}  // namespace hookhost::grpc
