#pragma once

#include "notify/notification.hpp"

namespace hookhost::notify::testing {

/// A finished job's notification as the store would snapshot it.
inline Notification sampleNotification(Outcome outcome = Outcome::Succeeded) {
  Notification n;
  n.id = 7;
  n.jobId = 42;
  n.eventId = 9;
  n.handlerId = 3;
  n.handlerName = "trivial-handler";
  n.handlerVersion = 2;
  n.hook = "ctingress.on_complete";
  n.jobAttempt = 1;
  n.outcome = outcome;
  n.recipient = outcome == Outcome::Succeeded ? "success@example.com" : "failure@example.com";
  n.result = "completed successfully";
  n.error = "ValueError: bad archive\nTraceback (most recent call last):\n"
            "  File \"handler.py\", line 3, in trivial\n    raise ValueError('bad archive')\n";
  n.startedAt = 1'700'000'000'000'000;
  n.finishedAt = n.startedAt + 1'234'567;
  n.jobPath = jobPathOf(n.jobId);
  n.createdAt = n.finishedAt + 10;
  return n;
}

}  // namespace hookhost::notify::testing
