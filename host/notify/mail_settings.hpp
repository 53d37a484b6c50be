#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "notify/mail_transport.hpp"
#include "notify/message_builder.hpp"
#include "notify/retry_policy.hpp"
#include "notify/smtp_transport.hpp"

namespace hookhost::notify {

/// The `mail.*` configuration (DESIGN.md, "Configuration") in one place.
struct MailSettings {
  MessageSettings message;  // mail.from
  SmtpSettings smtp;        // mail.smtp.*; smtp.host empty = spool
  std::string spoolDir;     // mail.spool_dir
  RetrySettings retry;      // mail.retry_min, mail.retry_max, mail.give_up_after
};

/// Looks a config key up ("mail.smtp.host"), already resolved against the environment;
/// empty when unset. Values are text as the config holds them ("25", "true", "30s").
using ConfigLookup = std::function<std::optional<std::string>(const std::string& key)>;

/// Reads every mail.* key with the DESIGN.md defaults; `dataDir` gives the default spool
/// directory (`<data.dir>/mail`). A bad value is an Error (ErrorKind::BadRequest, code
/// "bad_config") naming the key, for the start-up code to report and exit.
Result<MailSettings> readMailSettings(const ConfigLookup& lookup, const std::string& dataDir);

/// SMTP when smtp.host is set, else the spool. Throws nothing; a bad server shows up as
/// send failures.
std::unique_ptr<Transport> makeTransport(const MailSettings& settings);

}  // namespace hookhost::notify
