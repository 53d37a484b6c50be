#pragma once

#include <string>

#include "notify/mail_transport.hpp"

namespace hookhost::notify {

/// The default transport when no SMTP server is configured: each message becomes
/// `<spool_dir>/<notification id>.eml`, an RFC 5322 file with CRLF line ends that a mail
/// client opens. Written atomically (temp file in the same directory, fsync, rename, fsync
/// of the directory), so a reader never sees half a message and a resend replaces the file
/// instead of duplicating it. Creates the directory on first use.
class SpoolTransport final : public Transport {
 public:
  explicit SpoolTransport(std::string spoolDir);

  SendResult send(const Notification& notification, Poco::Net::MailMessage& message) override;
  std::string name() const override { return "spool"; }

  /// Where the message for `notificationId` is (or will be) written.
  std::string pathFor(std::int64_t notificationId) const;

 private:
  std::string dir_;
};

}  // namespace hookhost::notify
