#include "http/handler_operations.hpp"

#include "registry/handler_request.hpp"

namespace hookhost::http {

Result<storage::HandlerStore::Registration> registerHandlerAs(const nlohmann::json& body, const storage::User& caller,
                                                              Services& services) {
  auto spec = registry::parseRegistration(body, services.catalog, services.registrationRules);
  if (!spec) return spec.error();
  auto checked = services.checkHandler ? services.checkHandler(*spec) : Result<std::unique_ptr<registry::CheckedHandler>>(nullptr);
  if (!checked) return checked.error();
  auto registered = services.handlers.registerHandler(*spec, caller);
  if (!registered) return registered.error();
  if (!registered->created && services.onHandlerChanged) services.onHandlerChanged(registered->handler);
  if (*checked) (*checked)->registered(registered->handler);
  return registered;
}

Status deregisterHandlerAs(std::int64_t id, const storage::User& caller, Services& services) {
  auto handler = services.handlers.getHandler(id);
  auto deleted = services.lifecycle.deregisterHandler(id, caller);
  if (!deleted) return deleted.error();
  if (handler && services.onHandlerChanged) services.onHandlerChanged(*handler);
  return Ok{};
}

}  // namespace hookhost::http
