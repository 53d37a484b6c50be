#pragma once

// The notifier's vocabulary is the outbox's records (outbox/notification.hpp).
#include "outbox/notification.hpp"

namespace hookhost::notify {

using outbox::Channel;
using outbox::channelName;
using outbox::channelOf;
using outbox::jobPathOf;
using outbox::Notification;
using outbox::notificationFromJson;
using outbox::notificationToJson;
using outbox::Outcome;
using outbox::outcomeName;
using outbox::parseOutcome;

}  // namespace hookhost::notify
