#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/router.hpp"
#include "http/services.hpp"

namespace hookhost::http {

/// Turns one HTTP exchange into an ApiRequest for its route and the ApiReply back into
/// HTTP: enforces the body limit before buffering, parses JSON, authenticates, and maps
/// every failure, thrown or returned, to a JSON error. One instance per request.
class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  ApiRequestHandler(const Router& router, Services& services) : router_(router), services_(services) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  ApiReply answer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  const Router& router_;
  Services& services_;
};

}  // namespace hookhost::http
