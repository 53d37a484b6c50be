#pragma once

#include "notify/mail_transport.hpp"
#include "notify/outbox.hpp"
#include "notify/retry_policy.hpp"

namespace hookhost::notify {

/// What a send came to, as the outbox records it: sent; failed for good; or, for a
/// temporary failure, retried with the policy's backoff until its give-up window ends.
/// Logs failures and retries. Shared by every channel's sender, so all retry alike.
SendOutcome outcomeOf(const Notification& notification, const SendResult& result, RetryPolicy& retry);

/// "notification 7 (job 3, to ops@example.com, attempt 2)", for logs.
std::string describe(const Notification& notification);

}  // namespace hookhost::notify
