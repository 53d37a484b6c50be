#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include <optional>

#include "http/router.hpp"
#include "http/services.hpp"

namespace hookhost::http {

/// Turns one HTTP exchange into an ApiRequest for its route and the ApiReply back into
/// HTTP: authenticates and authorises from the headers, then reserves the body from the
/// budget, reads it under the size limit and parses it with the depth bound; maps every
/// failure, thrown or returned, to a JSON error. One instance per request.
class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  ApiRequestHandler(const Router& router, Services& services) : router_(router), services_(services) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  ApiReply answer(Poco::Net::HTTPServerRequest& request);
  /// Nothing when the caller may use `route`; else the 401 or 403 to answer.
  std::optional<ApiReply> authorize(const Route& route, ApiRequest& api);

  const Router& router_;
  Services& services_;
  bool bodyUnread_ = false;  // the request has a body that was not (all) read
};

}  // namespace hookhost::http
