#pragma once

#include <Poco/Net/HTTPServerResponse.h>

#include "http/api_request.hpp"

namespace hookhost::http {

/// Sends `reply` as the complete response (status, content type, length, body) and flushes
/// it to the socket, so the connection may be shut down right after.
void sendReply(Poco::Net::HTTPServerResponse& response, const ApiReply& reply);

}  // namespace hookhost::http
