#include "notify/webhook_http.hpp"

#include <algorithm>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace hookhost::notify {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::streamsize kMaxAnswerBytes = 4096;  // read and dropped, so the receiver sees a clean close

Poco::Timespan left(Clock::time_point deadline) {
  auto remaining = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
  return Poco::Timespan(std::max<std::int64_t>(remaining, 1000));
}

Poco::Net::Context::Ptr clientContext() {
  // Made once: loading the system's CA store is slow. Poco's Context is safe to share.
  static Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
  return context;
}

}  // namespace

HttpAnswer postJson(const WebhookUrl& url, const Poco::Net::IPAddress& address,
                    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                    const WebhookTimeouts& timeouts) {
  const auto deadline = Clock::now() + timeouts.request;
  try {
    // Connected here, to the checked address: the session never resolves the name itself.
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(address, url.port),
                   Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::min(timeouts.connect, timeouts.request)).count()));
    socket.setReceiveTimeout(left(deadline));
    socket.setSendTimeout(left(deadline));
    if (url.https) socket = Poco::Net::SecureStreamSocket::attach(socket, url.host, clientContext());
    Poco::Net::HTTPClientSession session(socket);
    session.setKeepAlive(false);

    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, url.target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(url.host, url.port);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    for (const auto& [name, value] : headers) request.set(name, value);
    session.setTimeout(left(deadline));
    session.sendRequest(request) << body;

    session.setTimeout(left(deadline));
    Poco::Net::HTTPResponse response;
    std::istream& answer = session.receiveResponse(response);
    char sink[1024];
    for (std::streamsize read = 0; read < kMaxAnswerBytes && answer.read(sink, sizeof sink).gcount() > 0;) {
      read += answer.gcount();
      if (Clock::now() >= deadline) break;
    }
    return HttpAnswer{static_cast<int>(response.getStatus()), response.getReason(), ""};
  } catch (const Poco::TimeoutException&) {
    return HttpAnswer{0, "", "no answer within the time allowed"};
  } catch (const Poco::Exception& error) {
    return HttpAnswer{0, "", error.displayText()};
  } catch (const std::exception& error) {
    return HttpAnswer{0, "", error.what()};
  }
}

}  // namespace hookhost::notify
