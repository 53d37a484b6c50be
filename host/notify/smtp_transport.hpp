#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "notify/mail_transport.hpp"

namespace hookhost::notify {

struct SmtpSettings {
  std::string host;  // mail.smtp.host
  std::uint16_t port = 25;
  std::string user;      // mail.smtp.user; empty = no AUTH
  std::string password;  // mail.smtp.password
  bool starttls = false;  // mail.smtp.starttls: refuse to send unless the server upgrades
  std::chrono::milliseconds timeout{30'000};  // connect and each reply
  std::string heloName;  // EHLO argument; empty = this machine's host name
  std::string caFile;    // extra CA file or directory for STARTTLS; system CAs always apply
};

/// Sends through an SMTP server with Poco's SMTPClientSession, one connection per message.
/// Classification: connection refused/lost, timeouts, TLS and 4xx replies are Temporary;
/// a 5xx reply to MAIL, RCPT or the message data is Permanent. A 5xx before MAIL (greeting,
/// EHLO, STARTTLS, AUTH) is the host's configuration, not the message's, so it is Temporary
/// with FailureScope::Server: the operator may fix it within the retry window. A connection
/// lost after the data was sent is Temporary: the resend carries the same Message-ID.
/// Used by one thread at a time (the notifier's).
class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpSettings settings);
  ~SmtpTransport() override;
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  SendResult send(const Notification& notification, Poco::Net::MailMessage& message) override;
  std::string name() const override { return "smtp"; }

 private:
  SmtpSettings settings_;
  std::string heloName_;
};

/// The bare address inside a From value: "Name <a@b>" → "a@b", "a@b" → "a@b".
std::string envelopeAddressOf(const std::string& from);

}  // namespace hookhost::notify
