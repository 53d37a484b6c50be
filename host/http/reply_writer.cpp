#include "http/reply_writer.hpp"

#include <ostream>
#include <string>

namespace hookhost::http {

void sendReply(Poco::Net::HTTPServerResponse& response, const ApiReply& reply) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.contentType);
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  std::string body = reply.text ? *reply.text : reply.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!reply.text) body += '\n';
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& out = response.send();
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  out.flush();
}

}  // namespace hookhost::http
