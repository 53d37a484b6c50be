#include "notify/send_outcome.hpp"

#include <Poco/Logger.h>

namespace hookhost::notify {
namespace {

Poco::Logger& logger() { return Poco::Logger::get("hookhost.notify"); }

}  // namespace

std::string describe(const Notification& n) {
  return "notification " + std::to_string(n.id) + " (job " + std::to_string(n.jobId) + ", to " + n.recipient +
         ", attempt " + std::to_string(n.sendAttempts) + ")";
}

SendOutcome outcomeOf(const Notification& n, const SendResult& result, RetryPolicy& retry) {
  SendOutcome outcome{n.id, n.sendAttempts, SendOutcome::State::Sent, nowMicros(), 0, "", result.httpStatus};
  switch (result.status) {
    case SendStatus::Sent: break;
    case SendStatus::Permanent:
      logger().warning(describe(n) + " failed permanently: " + result.error);
      outcome.state = SendOutcome::State::Failed;
      outcome.error = result.error;
      break;
    case SendStatus::Temporary: {
      RetryDecision decision = retry.afterTemporaryFailure(n.createdAt, n.sendAttempts, outcome.at, result.error);
      if (decision.kind == RetryDecision::Kind::GiveUp) {
        logger().warning(describe(n) + ": " + decision.error);
        outcome.state = SendOutcome::State::Failed;
        outcome.error = decision.error;
        break;
      }
      logger().information(describe(n) + " will be retried at " + formatRfc3339(decision.nextAttemptAt) + ": " +
                           result.error);
      outcome.state = SendOutcome::State::Retry;
      outcome.nextAttemptAt = decision.nextAttemptAt;
      outcome.error = result.error;
      break;
    }
  }
  return outcome;
}

}  // namespace hookhost::notify
