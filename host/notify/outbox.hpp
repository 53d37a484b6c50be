#pragma once

// The notifier drains the outbox the store keeps (outbox/outbox.hpp).
#include "notify/notification.hpp"
#include "outbox/outbox.hpp"

namespace hookhost::notify {

using outbox::Outbox;
using outbox::SendOutcome;

}  // namespace hookhost::notify
