#include "http/routes/routes.hpp"

namespace hookhost::http {

ApiReply listHooks(const ApiRequest&, Services& services) {
  nlohmann::json hooks = nlohmann::json::array();
  for (const auto* hook : services.catalog.all()) {
    hooks.push_back({{"name", hook->name}, {"description", hook->description}, {"payload_schema", hook->payloadSchema}});
  }
  return jsonReply(200, hooks);
}

}  // namespace hookhost::http
