#include "http/api_connection.hpp"

#include <Poco/Delegate.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>

#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <utility>

#include "http/error_reply.hpp"
#include "http/lingering_close.hpp"
#include "http/reply_writer.hpp"

namespace hookhost::http {
namespace {

// Answers outside any request handler: the request could not be read, so the connection ends.
void answerAndClose(Poco::Net::HTTPServerSession& session, const ApiReply& reply) {
  try {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setKeepAlive(false);
    sendReply(response, reply);
    session.setKeepAlive(false);
    lingeringClose(session.socket(), kLingerMaxBytes, kLingerFor);
  } catch (const Poco::Exception&) {
    // The client is gone; there is no one left to answer.
  }
}

ApiReply notHttp() {
  return errorReply(ErrorKind::BadRequest, "malformed_request",
                    "the request is not HTTP/1.1 (this port speaks plain HTTP, not TLS)");
}

ApiReply requestTimeout() {
  return jsonReply(408, {{"error", {{"code", "request_timeout"}, {"message", "the client sent nothing for too long"}}}});
}

// An HTTP request starts with a method token (or blank lines before it). Poco reads the
// header line by line and waits for a newline, so a TLS hello, which has none, would hold a
// thread until the timeout and get no answer: its first byte (0x16) tells at once.
bool startsLikeHttp(Poco::Net::StreamSocket& socket) {
  unsigned char first = 0;
  if (socket.receiveBytes(&first, 1, MSG_PEEK) != 1) return true;  // closed: Poco sees it
  return std::isalnum(first) || (first != 0 && std::strchr("!#$%&'*+-.^_`|~\r\n \t", first) != nullptr);
}

ApiReply tooManyConnections() {
  ApiReply reply = errorReply(ErrorKind::Unavailable, "too_many_connections",
                              "this client address holds too many open connections; close some and retry");
  reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

}  // namespace

ApiConnection::ApiConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, ClientSlots& slots,
                             Poco::BasicEvent<const bool>& serverStopped)
    : TCPServerConnection(socket),
      params_(std::move(params)),
      handlers_(std::move(handlers)),
      slots_(slots),
      serverStopped_(serverStopped) {
  serverStopped_ += Poco::delegate(this, &ApiConnection::onServerStopped);
}

ApiConnection::~ApiConnection() {
  serverStopped_ -= Poco::delegate(this, &ApiConnection::onServerStopped);
  if (!client_.empty()) slots_.release(client_);
}

void ApiConnection::run() {
  std::string client;
  try {
    client = socket().peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    return;  // disconnected before it was served
  }
  if (!slots_.tryAcquire(client)) {
    // Neither read nor lingered on: the thread goes back to other clients at once.
    Poco::Net::HTTPServerSession session(socket(), params_);
    try {
      Poco::Net::HTTPServerResponseImpl response(session);
      response.setKeepAlive(false);
      sendReply(response, tooManyConnections());
    } catch (const Poco::Exception&) {
    }
    return;
  }
  client_ = client;
  serveRequests();
}

void ApiConnection::serveRequests() {
  Poco::Net::HTTPServerSession session(socket(), params_);
  // A client may pause this long at any point of a request; Poco's own default is a minute.
  socket().setReceiveTimeout(params_->getTimeout());
  bool first = true;
  while (!stopped_ && session.hasMoreRequests()) {
    try {
      if (std::exchange(first, false) && !startsLikeHttp(socket())) {
        answerAndClose(session, notHttp());
        break;
      }
      Poco::FastMutex::ScopedLock lock(mutex_);
      if (stopped_) break;
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params_);
      response.setDate(Poco::Timestamp());
      response.setVersion(request.getVersion());
      response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && session.canKeepAlive());
      std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(handlers_->createRequestHandler(request));
      if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
        response.sendContinue();
      }
      handler->handleRequest(request, response);
      session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
    } catch (const Poco::Net::NoMessageException&) {
      break;
    } catch (const Poco::Net::MessageException& error) {
      answerAndClose(session, errorReply(ErrorKind::BadRequest, "malformed_request",
                                         "the request is not valid HTTP/1.1: " + error.message()));
      break;
    } catch (const Poco::TimeoutException&) {
      answerAndClose(session, requestTimeout());
      break;
    } catch (const Poco::Exception&) {
      // Poco's header stream turns a read timeout into a failed stream; the cause is kept.
      if (dynamic_cast<const Poco::TimeoutException*>(session.networkException())) answerAndClose(session, requestTimeout());
      break;  // else a reset or a broken pipe: the client is gone
    }
  }
}

void ApiConnection::onServerStopped(const bool& abortCurrent) {
  stopped_ = true;
  try {
    if (abortCurrent) {
      socket().shutdown();
      return;
    }
    Poco::FastMutex::ScopedLock lock(mutex_);
    socket().shutdown();
  } catch (...) {
  }
}

}  // namespace hookhost::http
