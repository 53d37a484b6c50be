#include "http/error_reply.hpp"

namespace hookhost::http {

ApiReply errorReply(const Error& error) {
  return jsonReply(httpStatusOf(error.kind), {{"error", {{"code", error.code}, {"message", error.message}}}});
}

ApiReply errorReply(ErrorKind kind, const std::string& code, const std::string& message) {
  return errorReply(Error{kind, code, message});
}

}  // namespace hookhost::http
