#include "http/api_server.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "http/api_connection.hpp"
#include "http/request_handler_factory.hpp"

namespace hookhost::http {
namespace {

class ApiConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ApiConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                       ClientSlots& slots, Poco::BasicEvent<const bool>& stopped)
      : params_(std::move(params)), handlers_(std::move(handlers)), slots_(slots), stopped_(stopped) {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new ApiConnection(socket, params_, handlers_, slots_, stopped_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  ClientSlots& slots_;
  Poco::BasicEvent<const bool>& stopped_;
};

Poco::Net::HTTPServerParams::Ptr serverParams(const ServerLimits& limits) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(limits.threads);
  params->setMaxQueued(limits.maxQueued);
  params->setKeepAlive(true);
  const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(limits.headerTimeout).count());
  params->setTimeout(timeout);
  params->setKeepAliveTimeout(timeout);
  return params;
}

}  // namespace

ApiServer::ApiServer(Services& services, const Poco::Net::ServerSocket& socket, const ServerLimits& limits)
    : services_(services),
      budget_(limits.bodyBudgetBytes),
      slots_(limits.maxConnectionsPerClient),
      threads_(2, limits.threads),
      handlers_(new RequestHandlerFactory(services)) {
  services_.bodyBudget = &budget_;
  auto params = serverParams(limits);
  server_ = std::make_unique<Poco::Net::TCPServer>(new ApiConnectionFactory(params, handlers_, slots_, stopped_), threads_,
                                                   socket, params);
}

ApiServer::~ApiServer() {
  server_->stop();
  stopped_.notify(this, true);
  threads_.joinAll();
  services_.bodyBudget = nullptr;
}

void ApiServer::stopAll(bool abortCurrent) {
  server_->stop();
  stopped_.notify(this, abortCurrent);
}

}  // namespace hookhost::http
