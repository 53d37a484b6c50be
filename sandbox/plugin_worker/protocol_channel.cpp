#include "plugin_worker/protocol_channel.hpp"

#include <string>

namespace hookhost::sandbox {

Status ProtocolChannel::send(const nlohmann::json& message) {
  std::lock_guard lock(sendMutex_);
  return writeFrame(outFd_, message);
}

Result<nlohmann::json> ProtocolChannel::receive() { return readFrame(inFd_); }

Result<nlohmann::json> ProtocolChannel::request(const nlohmann::json& message, const char* replyType) {
  std::lock_guard lock(requestMutex_);
  auto sent = send(message);
  if (!sent) return sent.error();
  auto reply = receive();
  if (!reply) return reply.error();
  if (reply->value("type", "") != replyType) {
    return makeError(ErrorKind::Internal, "protocol",
                     std::string("expected ") + replyType + ", got " + reply->dump());
  }
  return reply;
}

}  // namespace hookhost::sandbox
