#pragma once

#include <string>

#include "notify/mail_transport.hpp"

namespace hookhost::notify {

/// The default transport when no SMTP server is configured: each message becomes
/// `<spool_dir>/<YYYY-MM-DD>/<HH-MM>/<notification id>.eml` (notify/spool_layout.hpp: the
/// UTC minute the notification was created), an RFC 5322 file with CRLF line ends that a mail
/// client opens. Written atomically (temp file in the same directory, then rename), so a
/// reader never sees half a message and a resend replaces the file instead of duplicating
/// it; flush() makes a pass's files durable with one syncfs of the spool's file system
/// instead of two fsyncs per message (file and directory), which were a tenth of the host's
/// CPU time under load. Creates the directories on first use.
class SpoolTransport final : public Transport {
 public:
  explicit SpoolTransport(std::string spoolDir);

  SendResult send(const Notification& notification, Poco::Net::MailMessage& message) override;
  SendResult flush() override;
  std::string name() const override { return "spool"; }

  /// Where the message for `notification` is (or will be) written.
  std::string pathFor(const Notification& notification) const;

 private:
  std::string dir_;
  bool unflushed_ = false;
};

}  // namespace hookhost::notify
