#pragma once

#include <Poco/Event.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hookhost::testing {

/// A loopback HTTP server that records what it is sent and answers with a set status: the
/// other end of the http_forward plugin. Thread-safe; stops when destroyed.
class HttpReceiver {
 public:
  struct Seen {
    std::string method, uri, body, contentType, idempotencyKey, hookHeader;
    std::map<std::string, std::string> headers;  // every header, names in lower case
  };

  /// Listens on 127.0.0.1:`port` (0: any free port).
  explicit HttpReceiver(int port = 0);
  ~HttpReceiver();

  std::string url(const std::string& path = "/hooks/in") const;
  /// What the next requests are answered (200 "thanks" until told otherwise).
  void answer(int status, std::string body);
  /// Answer nothing until the receiver is destroyed (20 s at most), so clients time out.
  void hold() { hold_ = true; }
  std::vector<Seen> seen() const;

 private:
  class Handler;
  class Factory;

  Poco::Net::ServerSocket socket_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  int status_ = 200;
  std::string body_ = "thanks";
  std::atomic<bool> hold_{false};
  Poco::Event release_;
};

}  // namespace hookhost::testing
