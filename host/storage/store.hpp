#pragma once

#include "outbox/outbox.hpp"
#include "outbox/webhook_secrets.hpp"
#include "storage/handler_store.hpp"
#include "storage/host_store.hpp"
#include "storage/job_store.hpp"
#include "storage/user_store.hpp"

namespace hookhost::storage {

/// The durable state of a host, every concern of it in one database: the application
/// opens one and hands each part only the interfaces it uses.
class Store : public UserStore, public HandlerStore, public JobStore, public outbox::Outbox, public HostStore,
              public outbox::WebhookSecrets {
 public:
  ~Store() override = default;
};

}  // namespace hookhost::storage
