#pragma once

#include <memory>

#include "app/config.hpp"
#include "notify/mail_settings.hpp"
#include "notify/message_builder.hpp"
#include "notify/notifier.hpp"
#include "notify/retry_policy.hpp"
#include "storage/store.hpp"

namespace hookhost::app {

/// The host's mail: settings from the `mail.*` keys, the transport they choose (SMTP or the
/// spool) and the notifier that sends the outbox through it. Throws ConfigError for bad
/// settings. The store must outlive it.
struct MailPart {
  MailPart(const Config& config, storage::Store& store);

  notify::MailSettings settings;
  std::unique_ptr<notify::Transport> transport;
  notify::MessageBuilder messages;
  notify::RetryPolicy retry;
  notify::Notifier notifier;
};

}  // namespace hookhost::app
