#include "http/stream_reply.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequestImpl.h>

#include "http/event_stream.hpp"

namespace hookhost::http {
namespace {

// A client that stops reading fills the socket's buffer; a write then waits at most this
// long before the stream ends, so it cannot hold its thread past the follow timeout by much.
const Poco::Timespan kSendTimeout(10, 0);

}  // namespace

void sendStreamReply(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ApiReply& reply) {
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.contentType);
  response.set("Cache-Control", "no-cache");
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.setChunkedTransferEncoding(true);
  response.setKeepAlive(false);
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  Poco::Net::StreamSocket* socket = impl ? &impl->socket() : nullptr;
  try {
    if (socket) socket->setSendTimeout(kSendTimeout);
    std::ostream& out = response.send();
    out.flush();  // the headers now: a follower learns at once that it is being served
    EventStream events(out, socket);
    reply.stream(events);
  } catch (const Poco::Exception&) {
    // The client went away mid-stream; nothing is left to answer.
  } catch (const std::exception& error) {
    Poco::Logger::get("hookhost.http").error("%s %s: the event stream failed: %s", request.getMethod(),
                                             request.getURI(), std::string(error.what()));
  }
}

}  // namespace hookhost::http
