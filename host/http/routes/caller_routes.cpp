// GET /v1/me: who the key belongs to, so a client (the console) offers only what the
// caller's role may do.
#include "http/routes/routes.hpp"

namespace hookhost::http {

ApiReply getCaller(const ApiRequest& request, Services&) {
  const storage::User& caller = request.caller();
  return jsonReply(200, {{"id", caller.id},
                         {"name", caller.name},
                         {"email", caller.email},
                         {"role", storage::roleName(caller.role)}});
}

}  // namespace hookhost::http
