#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "http/api_request.hpp"

namespace hookhost::http {

/// Sends a reply whose body is an event stream (ApiReply::stream): headers at once, then
/// the body in chunks as the route writes it, on a connection that ends with the stream.
void sendStreamReply(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                     const ApiReply& reply);

}  // namespace hookhost::http
