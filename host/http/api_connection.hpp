#pragma once

#include <Poco/BasicEvent.h>
#include <Poco/Mutex.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>

#include <string>

#include "http/client_slots.hpp"

namespace hookhost::http {

/// One client connection of the API server: Poco's HTTPServerConnection loop with the
/// hookhost answers where Poco would send an empty body. It holds a per-address slot for its
/// lifetime (over the limit it answers 503 and closes without reading), answers a request
/// Poco cannot parse (a malformed request line, oversized headers, a TLS hello) with the
/// JSON 400 and a lingering close, and a client silent past the header timeout with 408.
/// Runs on one server thread; `slots` and `serverStopped` outlive it.
class ApiConnection : public Poco::Net::TCPServerConnection {
 public:
  ApiConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, ClientSlots& slots,
                Poco::BasicEvent<const bool>& serverStopped);
  ~ApiConnection() override;

  void run() override;

 private:
  void serveRequests();
  void onServerStopped(const bool& abortCurrent);

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  ClientSlots& slots_;
  Poco::BasicEvent<const bool>& serverStopped_;
  std::string client_;
  Poco::FastMutex mutex_;
  bool stopped_ = false;
};

}  // namespace hookhost::http
