#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "http/router.hpp"
#include "http/services.hpp"

namespace hookhost::http {

/// Hands every request to an ApiRequestHandler; routing happens there, against one Router
/// built at start.
class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit RequestHandlerFactory(Services& services) : router_(apiRoutes()), services_(services) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

 private:
  Router router_;
  Services& services_;
};

}  // namespace hookhost::http
