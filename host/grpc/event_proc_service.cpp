#include "grpc/event_proc_service.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Logger.h>

#include "auth/api_keys.hpp"
#include "grpc/call_status.hpp"
#include "grpc/handler_messages.hpp"
#include "http/handler_operations.hpp"
#include "http/router.hpp"
#include "storage/storage_full.hpp"
#include "storage/store_unavailable.hpp"

namespace hookhost::grpc {
namespace {

// The REST route a method stands for: its roles are the method's.
const http::Route& restRoute(const std::string& method, const std::string& pattern) {
  static const std::vector<http::Route> routes = http::apiRoutes();
  for (const auto& route : routes) {
    if (route.method == method && route.pattern == pattern) return route;
  }
  throw std::logic_error("the gRPC service stands for a REST route that does not exist: " + method + " " + pattern);
}

std::optional<std::string> authorizationOf(const ::grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find("authorization");
  if (found == metadata.end()) return std::nullopt;
  return std::string(found->second.data(), found->second.size());
}

::grpc::Status refuse(::grpc::ServerContext& context, const Error& error) {
  context.AddTrailingMetadata("hookhost-error-code", error.code);
  return statusOf(error);
}

// Runs `work` as the caller the metadata names, once `route`'s roles admit them; the
// store's failures become the statuses of REST's 507, 503 and 500.
template <typename Work>
::grpc::Status asCaller(::grpc::ServerContext& context, http::Services& services, const http::Route& route, Work work) {
  try {
    if (services.shuttingDown) {
      return refuse(context, makeError(ErrorKind::Unavailable, "shutting_down", "the host is shutting down"));
    }
    auto user = auth::authenticate(services.users, authorizationOf(context));
    if (!user) return refuse(context, user.error());
    if (auto refused = http::roleRefusal(route, *user)) return refuse(context, *refused);
    Status done = work(*user);
    if (!done) return refuse(context, done.error());
    return ::grpc::Status::OK;
  } catch (const storage::StorageFull&) {
    return refuse(context, makeError(ErrorKind::StorageFull, "storage_full",
                                     "the store's disk is full; nothing was recorded; try again once space is freed"));
  } catch (const storage::StoreUnavailable&) {
    return refuse(context, makeError(ErrorKind::Unavailable, "store_unavailable",
                                     "the database cannot be reached; try again shortly"));
  } catch (const std::exception& error) {
    Poco::Logger::get("hookhost.grpc").error("the gRPC call for %s %s failed: %s", route.method, route.pattern,
                                             std::string(error.what()));
    return refuse(context, makeError(ErrorKind::Internal, "internal_error",
                                     "the server failed to handle the call; see its log"));
  }
}

}  // namespace

::grpc::Status EventProcService::ListHooks(::grpc::ServerContext* context, const eventprocapi::ListHooksRequest*,
                                           eventprocapi::ListHooksResponse* response) {
  return asCaller(*context, services_, restRoute("GET", "/v1/hooks"), [&](const storage::User&) -> Status {
    for (const auto* hook : services_.catalog.all()) response->add_hooks()->set_name(hook->name);
    return Ok{};
  });
}

::grpc::Status EventProcService::ListHandlers(::grpc::ServerContext* context,
                                              const eventprocapi::ListHandlersRequest* request,
                                              eventprocapi::ListHandlersResponse* response) {
  return asCaller(*context, services_, restRoute("GET", "/v1/handlers"), [&](const storage::User&) -> Status {
    std::vector<std::string> hooks;  // none: every hook's
    if (!request->hook().empty()) hooks.push_back(request->hook());
    for (const auto& handler : services_.handlers.listHandlers(hooks)) fillHandler(handler, *response->add_handlers());
    return Ok{};
  });
}

::grpc::Status EventProcService::Register(::grpc::ServerContext* context, const eventprocapi::RegisterRequest* request,
                                          eventprocapi::RegisterResponse* response) {
  return asCaller(*context, services_, restRoute("POST", "/v1/handlers"), [&](const storage::User& caller) -> Status {
    auto body = registrationBody(request->registration(), services_.registrationRules.maxCodeBytes);
    if (!body) return body.error();
    auto registered = http::registerHandlerAs(*body, caller, services_);
    if (!registered) return registered.error();
    fillHandler(registered->handler, *response->mutable_handler());
    // REST shows a new webhook secret once in its answer; the Handler message has no room.
    if (registered->newWebhookSecret) context->AddTrailingMetadata("hookhost-webhook-secret", *registered->newWebhookSecret);
    return Ok{};
  });
}

::grpc::Status EventProcService::Deregister(::grpc::ServerContext* context, const eventprocapi::DeregisterRequest* request,
                                            eventprocapi::DeregisterResponse* response) {
  return asCaller(*context, services_, restRoute("DELETE", "/v1/handlers/{id}"), [&](const storage::User& caller) -> Status {
    auto deleted = http::deregisterHandlerAs(request->id(), caller, services_);
    if (!deleted) return deleted.error();
    response->set_id(request->id());
    return Ok{};
  });
}

}  // namespace hookhost::grpc
