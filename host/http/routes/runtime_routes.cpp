#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {

// What a handler's author needs to know before pickling: which Python versions the host
// runs handlers in and which distributions each can import (probed in the sandbox).
ApiReply listRuntimes(const ApiRequest&, Services& services) {
  return jsonReply(200, services.runtimes ? services.runtimes() : nlohmann::json::array());
}

}  // namespace hookhost::http
