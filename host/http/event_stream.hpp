#pragma once

#include <ostream>
#include <string>

#include <Poco/Net/StreamSocket.h>

namespace hookhost::http {

/// A response body of Server-Sent Events (text/event-stream) as a route writes it: events
/// are gathered with add() and go out together on flush(). Tells when the client is gone, so
/// a route that waits between events can stop instead of holding its server thread.
class EventStream {
 public:
  /// `socket` may be null (then clientGone() only knows of failed writes).
  EventStream(std::ostream& out, Poco::Net::StreamSocket* socket);

  /// One event; each line of `data` becomes one `data:` field (a \r or \n in it splits).
  void add(const std::string& event, const std::string& data);
  /// A comment line, which clients ignore: keeps an idle stream from looking dead.
  void addComment(const std::string& text);
  /// Sends what was added; false when the client is gone.
  bool flush();
  /// True once a write failed or the client closed its end of the connection.
  bool clientGone();

 private:
  std::ostream& out_;
  Poco::Net::StreamSocket* socket_;
  std::string pending_;
  bool gone_ = false;
};

}  // namespace hookhost::http
