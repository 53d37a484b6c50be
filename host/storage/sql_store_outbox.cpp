#include <algorithm>

#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"
#include "storage/sql_store_coalesce.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

Error unavailable(const std::exception& error) {
  return makeError(ErrorKind::Unavailable, "store_unavailable", error.what());
}

const char* stateName(outbox::SendOutcome::State state) {
  switch (state) {
    case outbox::SendOutcome::State::Sent: return "sent";
    case outbox::SendOutcome::State::Retry: return "retry";
    case outbox::SendOutcome::State::Failed: break;
  }
  return "failed";
}

}  // namespace

std::uint64_t SqlStore::queuedHere(outbox::Channel channel) const {
  return notificationsQueued_[static_cast<std::size_t>(channel)].load();
}

Result<std::vector<outbox::Notification>> SqlStore::claimDue(Micros now, std::size_t limit, Micros leaseUntil,
                                                             outbox::Channel channel) {
  try {
    return writer_.run([&](sql::Connection& session) -> Result<std::vector<outbox::Notification>> {
      auto limitValue = static_cast<Poco::Int64>(limit);
      const std::string channelText(outbox::channelName(channel));
      // One statement for the batch. The rows are locked on PostgreSQL, so two hosts'
      // notifiers never take the same row.
      auto rows = sql::query(session,
                             std::string("UPDATE notifications SET lease_expires_at = ?, attempts = attempts + 1 "
                                         "WHERE id IN (SELECT id FROM notifications WHERE state = 'PENDING' "
                                         "AND channel = ? AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?) "
                                         "ORDER BY next_attempt_at, id LIMIT ?") +
                                 sql::lockAndSkipLocked(session.dialect()) +
                                 ") RETURNING id, content, created_at, attempts, last_error, next_attempt_at",
                             [&](auto& st) { st, bind(leaseUntil), bind(channelText), bind(now), bind(now), bind(limitValue); });
      struct Due {
        Micros dueAt;
        outbox::Notification notification;
      };
      std::vector<Due> due;
      for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
        std::int64_t id = sql::integer(rows, "id");
        auto notification = outbox::notificationFromJson(sql::json(rows, "content"));
        if (!notification) {
          // A row this build cannot read would be retried forever; fail it visibly instead.
          const std::string failed = "FAILED";  // a notification's state, not a job's
          sql::execute(session, "UPDATE notifications SET state = ?, last_error = ?, sent_at = ? WHERE id = ?",
                       [&](auto& st) { st, bind(failed), bind(notification.error().message), bind(now), bind(id); });
          continue;
        }
        notification->id = id;
        notification->createdAt = sql::integer(rows, "created_at");
        notification->sendAttempts = static_cast<int>(sql::integer(rows, "attempts"));
        notification->lastError = sql::text(rows, "last_error");
        due.push_back({sql::integer(rows, "next_attempt_at"), std::move(*notification)});
      }
      // RETURNING keeps no order: oldest due first, as claimed.
      std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
        return a.dueAt != b.dueAt ? a.dueAt < b.dueAt : a.notification.id < b.notification.id;
      });
      std::vector<outbox::Notification> claimed;
      for (auto& one : due) claimed.push_back(std::move(one.notification));
      return claimed;
    });
  } catch (const std::exception& error) {
    return unavailable(error);
  }
}

Status SqlStore::settleIn(sql::Connection& session, const outbox::SendOutcome& outcome) {
  const bool retry = outcome.state == outbox::SendOutcome::State::Retry;
  Poco::Nullable<std::string> lastError;
  if (!outcome.error.empty()) lastError = outcome.error;
  std::string rowState = retry ? "PENDING" : outcome.state == outbox::SendOutcome::State::Sent ? "SENT" : "FAILED";
  Poco::Nullable<Poco::Int64> settledAt;
  if (!retry) settledAt = outcome.at;
  Micros nextAttemptAt = retry ? outcome.nextAttemptAt : outcome.at;
  auto rows = sql::query(session,
                         "UPDATE notifications SET state = ?, lease_expires_at = NULL, last_error = ?, sent_at = ?, "
                         "next_attempt_at = ? WHERE id = ? AND state = 'PENDING' AND attempts = ? "
                         "RETURNING job_id, recipient",
                         [&](auto& st) {
                           st, bind(rowState), bind(lastError), bind(settledAt), bind(nextAttemptAt), bind(outcome.id),
                               bind(outcome.sendAttempt);
                         });
  if (!rows.moveFirst()) {
    return makeError(ErrorKind::Conflict, "stale_claim",
                     "notification " + std::to_string(outcome.id) + " is no longer held by send attempt " +
                         std::to_string(outcome.sendAttempt));
  }
  nlohmann::json data = {{"notification_id", outcome.id},
                         {"recipient", sql::text(rows, "recipient")},
                         {"state", stateName(outcome.state)},
                         {"send_attempt", outcome.sendAttempt}};
  if (!outcome.error.empty()) data["error"] = outcome.error;
  data["channel"] = outbox::channelName(outbox::channelOf(data["recipient"].get<std::string>()));
  if (outcome.httpStatus != 0) data["http_status"] = outcome.httpStatus;
  if (retry) data["next_attempt_at"] = formatRfc3339(outcome.nextAttemptAt);
  appendHistory(session, sql::integer(rows, "job_id"), jobs::HistoryKind::Notify, data, sql::databaseNow(session));
  return Ok{};
}

Status SqlStore::settleNotification(const outbox::SendOutcome& outcome) {
  try {
    return writer_.run([&](sql::Connection& session) { return settleIn(session, outcome); });
  } catch (const std::exception& failure) {
    return unavailable(failure);
  }
}

void SqlStore::recordLater(outbox::SendOutcome outcome, std::function<void(Status)> recorded) {
  writer_.postForResult(
      [this, outcome = std::move(outcome)](sql::Connection& session) { return settleIn(session, outcome); },
      [recorded = std::move(recorded)](std::optional<Status> status, std::exception_ptr failure) {
        if (status) return recorded(std::move(*status));
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& error) {
          recorded(unavailable(error));
        }
      });
}

Status SqlStore::markSent(std::int64_t id, int sendAttempt, Micros at) {
  return settleNotification({id, sendAttempt, outbox::SendOutcome::State::Sent, at, at, ""});
}

Status SqlStore::markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt, const std::string& error) {
  return settleNotification({id, sendAttempt, outbox::SendOutcome::State::Retry, nowMicros(), nextAttemptAt, error});
}

Status SqlStore::markFailed(std::int64_t id, int sendAttempt, Micros at, const std::string& error) {
  return settleNotification({id, sendAttempt, outbox::SendOutcome::State::Failed, at, at, error});
}

}  // namespace hookhost::storage

namespace hookhost::storage {

// The job's end as its email will tell it, snapshotted now, to the address the transition
// names; no address means nothing is sent, by the owner's choice.
void SqlStore::queueNotification(sql::Connection& session, std::int64_t jobId, jobs::Notify whom, Micros at) {
  auto rows = sql::query(session,
                         "SELECT j.event_id, j.handler_id, j.state, j.attempt, j.handler_version, j.result, j.error, "
                         "j.started_at, j.finished_at, j.max_attempts, j.created_at, h.name, h.hook, h.notify_on_success, "
                         "h.notify_on_failure "
                         "FROM jobs j JOIN handlers h ON h.id = j.handler_id WHERE j.id = ?",
                         [&](auto& st) { st, bind(jobId); });
  if (!rows.moveFirst()) return;
  outbox::Notification notification;
  const auto state = parseJobState(sql::text(rows, "state"));
  notification.outcome = state == JobState::Succeeded  ? outbox::Outcome::Succeeded
                         : state == JobState::TimedOut ? outbox::Outcome::TimedOut
                                                       : outbox::Outcome::Failed;
  notification.recipient = sql::text(rows, whom == jobs::Notify::SuccessAddress ? "notify_on_success" : "notify_on_failure");
  if (notification.recipient.empty()) return;
  notification.jobId = jobId;
  notification.eventId = sql::integer(rows, "event_id");
  notification.handlerId = sql::integer(rows, "handler_id");
  notification.handlerName = sql::text(rows, "name");
  notification.handlerVersion = static_cast<int>(sql::integer(rows, "handler_version"));
  notification.hook = sql::text(rows, "hook");
  notification.jobAttempt = static_cast<int>(sql::integer(rows, "attempt"));
  notification.result = sql::text(rows, "result");
  notification.error = sql::text(rows, "error");
  notification.startedAt = sql::integer(rows, "started_at");
  notification.finishedAt = sql::integer(rows, "finished_at");
  notification.jobPath = outbox::jobPathOf(jobId);
  if (notification.outcome != outbox::Outcome::Succeeded) notification.chain = chainReportOf(session, notification.eventId);
  notification.jobState = sql::text(rows, "state");
  notification.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
  notification.jobCreatedAt = sql::integer(rows, "created_at");
  std::string snapshot = outbox::notificationToJson(notification).dump();
  const outbox::Channel channelOfRow = outbox::channelOf(notification.recipient);
  const std::string channel(outbox::channelName(channelOfRow));
  sql::executeLater(session,
                    "INSERT INTO notifications (job_id, recipient, channel, content, state, attempts, next_attempt_at, "
                    "created_at) VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)",
                    [&](auto& st) {
                      st, bind(jobId), bind(notification.recipient), bind(channel), bind(snapshot), bind(at), bind(at);
                    });
  ++notificationsQueued_[static_cast<std::size_t>(channelOfRow)];
}

}  // namespace hookhost::storage
