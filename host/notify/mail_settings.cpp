#include "notify/mail_settings.hpp"

#include <charconv>
#include <filesystem>

#include "common/email_address.hpp"
#include "notify/spool_transport.hpp"

namespace hookhost::notify {
namespace {

Error badConfig(const std::string& key, const std::string& value, const std::string& why) {
  return makeError(ErrorKind::BadRequest, "bad_config",
                   "config " + key + " = \"" + value + "\": " + why);
}

}  // namespace

Result<MailSettings> readMailSettings(const ConfigLookup& lookup, const std::string& dataDir) {
  MailSettings settings;
  auto text = [&](const std::string& key) -> std::optional<std::string> {
    auto value = lookup(key);
    if (value && value->empty()) return std::nullopt;
    return value;
  };

  if (auto from = text("mail.from")) {
    std::string address = envelopeAddressOf(*from);
    if (!isValidEmailAddress(address)) return badConfig("mail.from", *from, "not an email address");
    settings.message.from = *from;
  }
  if (auto host = text("mail.smtp.host")) settings.smtp.host = *host;
  if (auto port = text("mail.smtp.port")) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (ec != std::errc{} || end != port->data() + port->size() || value == 0 || value > 65535) {
      return badConfig("mail.smtp.port", *port, "not a port number");
    }
    settings.smtp.port = static_cast<std::uint16_t>(value);
  }
  if (auto user = text("mail.smtp.user")) settings.smtp.user = *user;
  if (auto password = text("mail.smtp.password")) settings.smtp.password = *password;
  if (auto starttls = text("mail.smtp.starttls")) {
    if (*starttls == "true" || *starttls == "1") settings.smtp.starttls = true;
    else if (*starttls == "false" || *starttls == "0") settings.smtp.starttls = false;
    else return badConfig("mail.smtp.starttls", *starttls, "expected true or false");
  }
  settings.spoolDir = text("mail.spool_dir").value_or(
      (std::filesystem::path(dataDir) / "mail").string());

  struct DurationKey {
    const char* key;
    std::chrono::milliseconds* target;
  };
  for (auto [key, target] : {DurationKey{"mail.retry_min", &settings.retry.min},
                             DurationKey{"mail.retry_max", &settings.retry.max},
                             DurationKey{"mail.give_up_after", &settings.retry.giveUpAfter}}) {
    auto value = text(key);
    if (!value) continue;
    auto parsed = parseDuration(*value);
    if (!parsed) return badConfig(key, *value, "not a duration (500ms, 30s, 5m, 1h, 5d)");
    *target = *parsed;
  }
  if (settings.retry.max < settings.retry.min) {
    return badConfig("mail.retry_max", formatDuration(settings.retry.max),
                     "shorter than mail.retry_min");
  }
  return settings;
}

std::unique_ptr<Transport> makeTransport(const MailSettings& settings) {
  if (!settings.smtp.host.empty()) return std::make_unique<SmtpTransport>(settings.smtp);
  return std::make_unique<SpoolTransport>(settings.spoolDir);
}

}  // namespace hookhost::notify
