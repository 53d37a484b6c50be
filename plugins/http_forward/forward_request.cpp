#include "forward_request.hpp"

#include <istream>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

namespace hookhost::plugins::forward {
namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

std::string excerpt(const std::string& body, std::size_t limit) {
  if (body.size() <= limit) return body;
  return body.substr(0, limit) + "...";
}

Poco::Net::Context::Ptr tlsContext() {
  static std::once_flag once;
  static Poco::Net::Context::Ptr context;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9,
                                     true);
  });
  return context;
}

std::unique_ptr<Poco::Net::HTTPClientSession> sessionFor(const Poco::URI& uri) {
  if (uri.getScheme() == "https") {
    return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), tlsContext());
  }
  return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}

}  // namespace

ForwardResponse postJson(const ForwardRequest& request) {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.url);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("bad url '" + request.url + "': " + e.displayText());
  }
  if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
    throw std::runtime_error("bad url '" + request.url + "': need http:// or https:// and a host");
  }
  try {
    auto session = sessionFor(uri);
    session->setTimeout(Poco::Timespan(static_cast<long>(request.timeout.count() / 1000),
                                       static_cast<long>(request.timeout.count() % 1000) * 1000));
    std::string path = uri.getPathAndQuery();
    Poco::Net::HTTPRequest post(Poco::Net::HTTPRequest::HTTP_POST, path.empty() ? "/" : path,
                                Poco::Net::HTTPMessage::HTTP_1_1);
    post.setContentType("application/json");
    post.setContentLength(static_cast<std::streamsize>(request.body.size()));
    for (const auto& [name, value] : request.headers) post.set(name, value);
    session->sendRequest(post) << request.body;

    Poco::Net::HTTPResponse answer;
    std::istream& in = session->receiveResponse(answer);
    ForwardResponse response;
    response.status = static_cast<int>(answer.getStatus());
    response.reason = answer.getReason();
    char buffer[4096];
    while (response.body.size() < kMaxBody && in.read(buffer, sizeof buffer).gcount() > 0) {
      response.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (response.status < 200 || response.status > 299) {
      throw std::runtime_error("POST " + request.url + " answered " + std::to_string(response.status) + " " +
                               response.reason + (response.body.empty() ? "" : ": " + excerpt(response.body, 512)));
    }
    return response;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("POST " + request.url + " failed: " + e.displayText());
  }
}

}  // namespace hookhost::plugins::forward
