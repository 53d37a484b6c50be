#include "app/mail_part.hpp"

namespace hookhost::app {
namespace {

notify::MailSettings mailSettings(const Config& config) {
  auto mail = notify::readMailSettings([&](const std::string& key) { return config.textOf(key); },
                                       config.text("data.dir"));
  if (!mail) throw ConfigError(mail.error().message);
  return *mail;
}

}  // namespace

MailPart::MailPart(const Config& config, storage::Store& store)
    : settings(mailSettings(config)),
      transport(notify::makeTransport(settings)),
      messages(settings.message),
      retry(settings.retry),
      notifier(store, *transport, messages, retry) {}

}  // namespace hookhost::app
