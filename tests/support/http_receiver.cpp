#include "http_receiver.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

namespace hookhost::testing {

class HttpReceiver::Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(HttpReceiver& receiver) : receiver_(receiver) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    Seen seen{request.getMethod(), request.getURI(), "", request.getContentType(),
              request.get("Idempotency-Key", ""), request.get("X-Hookhost-Hook", "")};
    for (const auto& [name, value] : request) seen.headers[Poco::toLower(name)] = value;
    Poco::StreamCopier::copyToString(request.stream(), seen.body);
    int status;
    std::string body;
    {
      std::lock_guard lock(receiver_.mutex_);
      receiver_.seen_.push_back(seen);
      status = receiver_.status_;
      body = receiver_.body_;
    }
    if (receiver_.hold_) receiver_.release_.tryWait(20'000);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("text/plain");
    response.send() << body;
  }

 private:
  HttpReceiver& receiver_;
};

class HttpReceiver::Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(HttpReceiver& receiver) : receiver_(receiver) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(receiver_);
  }

 private:
  HttpReceiver& receiver_;
};

HttpReceiver::HttpReceiver(int port)
    : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(2);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket_, params);
  server_->start();
}

HttpReceiver::~HttpReceiver() {
  release_.set();
  server_->stopAll(true);
}

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + path;
}

void HttpReceiver::answer(int status, std::string body) {
  std::lock_guard lock(mutex_);
  status_ = status;
  body_ = std::move(body);
}

std::vector<HttpReceiver::Seen> HttpReceiver::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

}  // namespace hookhost::testing
