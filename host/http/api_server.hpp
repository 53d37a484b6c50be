#pragma once

#include <Poco/BasicEvent.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include "http/body_budget.hpp"
#include "http/client_slots.hpp"
#include "http/server_limits.hpp"
#include "http/services.hpp"

namespace hookhost::http {

/// The REST server: Poco's TCPServer with ApiConnection per client, its own thread pool of
/// `limits.threads`, and the body budget the handlers reserve from (installed into
/// `services`, which must outlive the server). Start, stop and stopAll as Poco's HTTPServer.
class ApiServer {
 public:
  ApiServer(Services& services, const Poco::Net::ServerSocket& socket, const ServerLimits& limits);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  void start() { server_->start(); }
  /// No new connections; those open finish their current request.
  void stop() { server_->stop(); }
  /// Also ends open connections: at once with `abortCurrent`, else after their request.
  void stopAll(bool abortCurrent);
  int currentConnections() const { return server_->currentConnections(); }

 private:
  Services& services_;
  BodyBudget budget_;
  ClientSlots slots_;
  Poco::BasicEvent<const bool> stopped_;  // tells open connections to end (true: at once)
  Poco::ThreadPool threads_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
};

}  // namespace hookhost::http
