#pragma once

#include <cstddef>
#include <string>

#include "notify/notification.hpp"

namespace Poco::Net {
class MailMessage;
}

namespace hookhost::notify {

struct MessageSettings {
  std::string from = "hookhost@localhost";  // mail.from
  /// The right-hand side of Message-IDs. Empty: the domain of `from` (so every host that
  /// shares one store derives the same Message-ID for the same notification).
  std::string messageIdDomain;
  /// Result and error texts longer than this are cut (on a UTF-8 boundary) with a marker
  /// pointing at the job, which keeps the full text.
  std::size_t maxTextBytes = 256 * 1024;
};

/// Turns a Notification into the email for it. Deterministic: the same notification gives
/// the same subject, headers (Date included) and body, so a resend is the same message.
/// Immutable after construction; safe to share between threads.
class MessageBuilder {
 public:
  explicit MessageBuilder(MessageSettings settings);

  /// Fills an empty message: From, To, Subject (RFC 2047 encoded when not ASCII), Date,
  /// Message-ID, MIME-Version, X-Hookhost-Job, X-Hookhost-Event, and a text/plain UTF-8
  /// quoted-printable body with CRLF line ends.
  void build(const Notification& notification, Poco::Net::MailMessage& message) const;

  /// "[hookhost] <handler> on <hook>: succeeded|failed (job <id>)", not encoded.
  std::string subject(const Notification& notification) const;
  /// "<hookhost.notification.<id>@<domain>>"
  std::string messageId(const Notification& notification) const;
  /// The body text before transfer encoding, with CRLF line ends.
  std::string body(const Notification& notification) const;

  const MessageSettings& settings() const { return settings_; }

 private:
  MessageSettings settings_;
  std::string domain_;
};

/// Cuts `text` to at most `maxBytes` bytes without splitting a UTF-8 sequence. Returns the
/// text unchanged when it fits.
std::string truncateUtf8(const std::string& text, std::size_t maxBytes);

/// Rewrites every line end (CRLF, lone CR, lone LF) as CRLF, as RFC 5322 requires.
std::string toCrlf(const std::string& text);

}  // namespace hookhost::notify
