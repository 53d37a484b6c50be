#include "http/event_stream.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <Poco/Exception.h>

namespace hookhost::http {

EventStream::EventStream(std::ostream& out, Poco::Net::StreamSocket* socket) : out_(out), socket_(socket) {}

void EventStream::add(const std::string& event, const std::string& data) {
  pending_ += "event: " + event + "\n";
  std::size_t start = 0;
  for (;;) {
    std::size_t end = data.find_first_of("\r\n", start);
    pending_ += "data: " + data.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos) break;
    // CRLF is one line end, as the SSE parser reads it.
    start = end + (data.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  pending_ += "\n";
}

void EventStream::addComment(const std::string& text) { pending_ += ": " + text + "\n\n"; }

bool EventStream::flush() {
  if (gone_) return false;
  try {
    out_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
    out_.flush();
  } catch (const Poco::Exception&) {
    gone_ = true;
  } catch (const std::exception&) {
    gone_ = true;
  }
  pending_.clear();
  if (!out_.good()) gone_ = true;
  return !gone_;
}

bool EventStream::clientGone() {
  if (gone_ || !socket_) return gone_;
  // The client sends nothing after its request: readable with nothing to read is its close.
  char byte;
  ssize_t got = ::recv(socket_->impl()->sockfd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) gone_ = true;
  return gone_;
}

}  // namespace hookhost::http
