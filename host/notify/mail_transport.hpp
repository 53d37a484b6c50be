#pragma once

#include <string>

#include "notify/notification.hpp"

namespace Poco::Net {
class MailMessage;
}

namespace hookhost::notify {

enum class SendStatus {
  Sent,       // accepted by the server or written to the spool
  Temporary,  // worth retrying: connection refused or lost, timeout, 4xx
  Permanent,  // retrying cannot help: 5xx
};

/// Whether a failure concerns this message only or the whole server. The notifier stops
/// trying the rest of a batch after a Server failure (so a dead SMTP server costs one
/// connection timeout per pass, not one per message).
enum class FailureScope { Message, Server };

struct SendResult {
  SendStatus status = SendStatus::Sent;
  std::string error;  // empty when Sent; else what the server said or what failed
  FailureScope scope = FailureScope::Message;
  int httpStatus = 0;  // a webhook's answer, for its NOTIFY entry; 0 for mail
};

/// Delivers one built message. Implementations are used from the notifier thread only, one
/// call at a time, but must not keep references to the message after send() returns.
/// send() never throws: every failure is a SendResult.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual SendResult send(const Notification& notification, Poco::Net::MailMessage& message) = 0;
  /// Makes what the send() calls since the last flush accepted durable. The notifier calls
  /// it after a pass's sends and records them as sent only once it returns Sent; a failure
  /// counts as every one of them failing so. Transports whose sends are durable when they
  /// return (an SMTP server's 250) have nothing to do.
  virtual SendResult flush() { return {}; }
  /// For logs and /metrics labels: "smtp" or "spool".
  virtual std::string name() const = 0;
};

}  // namespace hookhost::notify
