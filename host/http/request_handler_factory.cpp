#include "http/request_handler_factory.hpp"

#include "http/api_request_handler.hpp"

namespace hookhost::http {

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new ApiRequestHandler(router_, services_);
}

}  // namespace hookhost::http
