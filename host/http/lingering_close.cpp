#include "http/lingering_close.hpp"

#include <Poco/Exception.h>
#include <Poco/Timespan.h>

namespace hookhost::http {

void lingeringClose(Poco::Net::StreamSocket& socket, std::size_t maxBytes, std::chrono::milliseconds within) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + within;
  try {
    socket.shutdownSend();
    char discard[16384];
    std::size_t drained = 0;
    while (drained < maxBytes) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(until - Clock::now());
      if (left.count() <= 0) break;
      if (!socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ)) break;
      int got = socket.receiveBytes(discard, sizeof discard);
      if (got <= 0) break;
      drained += static_cast<std::size_t>(got);
    }
  } catch (const Poco::Exception&) {
    // The client went away first: nothing is left to protect.
  }
}

}  // namespace hookhost::http
