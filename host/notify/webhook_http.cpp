#include "notify/webhook_http.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

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

// Ends exchanges that outlive their deadline. The socket timeouts bound each read, not the
// whole answer: a receiver that drips its headers a byte at a time would otherwise hold a
// sender far beyond the 15 s. Shutting the socket down wakes the blocked read.
class Watchdog {
 public:
  static Watchdog& instance() {
    // Never destroyed: its thread waits on it until the process ends.
    static Watchdog* watchdog = new Watchdog;
    return *watchdog;
  }

  std::uint64_t watch(const Poco::Net::StreamSocket& socket, Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    const std::uint64_t ticket = ++next_;
    watched_.emplace(ticket, Entry{deadline, socket});
    wake_.notify_all();
    return ticket;
  }

  void release(std::uint64_t ticket) {
    std::lock_guard lock(mutex_);
    watched_.erase(ticket);
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    Poco::Net::StreamSocket socket;
  };

  Watchdog() { std::thread([this] { loop(); }).detach(); }

  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto earliest = Clock::time_point::max();
      for (auto it = watched_.begin(); it != watched_.end();) {
        if (it->second.deadline > Clock::now()) {
          earliest = std::min(earliest, it->second.deadline);
          ++it;
          continue;
        }
        try {
          it->second.socket.shutdown();
        } catch (const Poco::Exception&) {
          // Already closed: the exchange is ending anyway.
        }
        it = watched_.erase(it);
      }
      if (earliest == Clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, earliest);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::uint64_t, Entry> watched_;
  std::uint64_t next_ = 0;
};

// Watches one exchange for as long as it lives.
class Watched {
 public:
  Watched(const Poco::Net::StreamSocket& socket, Clock::time_point deadline)
      : ticket_(Watchdog::instance().watch(socket, deadline)) {}
  ~Watched() { Watchdog::instance().release(ticket_); }
  Watched(const Watched&) = delete;
  Watched& operator=(const Watched&) = delete;

 private:
  std::uint64_t ticket_;
};

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
    Watched watched(socket, deadline);
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
    return HttpAnswer{0, "", "no answer within " + std::to_string(timeouts.request.count()) + " ms"};
  } catch (const Poco::Exception& error) {
    if (Clock::now() >= deadline) {
      return HttpAnswer{0, "", "no answer within " + std::to_string(timeouts.request.count()) + " ms"};
    }
    return HttpAnswer{0, "", error.displayText()};
  } catch (const std::exception& error) {
    return HttpAnswer{0, "", error.what()};
  }
}

}  // namespace hookhost::notify
