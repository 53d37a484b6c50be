#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

Error unavailable(const std::exception& error) {
  return makeError(ErrorKind::Unavailable, "store_unavailable", error.what());
}

}  // namespace

Result<std::vector<notify::Notification>> SqlStore::claimDue(Micros now, std::size_t limit, Micros leaseUntil) {
  try {
    return writer_.run([&](sql::Connection& session) -> Result<std::vector<notify::Notification>> {
      auto limitValue = static_cast<Poco::Int64>(limit);
      // Locked on PostgreSQL, so two hosts' notifiers never take the same row.
      auto due = sql::query(session,
                            std::string("SELECT id FROM notifications WHERE state = 'PENDING' AND next_attempt_at <= ? "
                                        "AND (lease_expires_at IS NULL OR lease_expires_at <= ?) "
                                        "ORDER BY next_attempt_at, id LIMIT ?") +
                                sql::lockAndSkipLocked(session.dialect()),
                            [&](auto& st) { st, bind(now), bind(now), bind(limitValue); });
      std::vector<std::int64_t> ids;
      for (bool more = due.moveFirst(); more; more = due.moveNext()) ids.push_back(sql::integer(due, "id"));
      std::vector<notify::Notification> claimed;
      for (std::int64_t id : ids) {
        sql::execute(session, "UPDATE notifications SET lease_expires_at = ?, attempts = attempts + 1 WHERE id = ?",
                     [&](auto& st) { st, bind(leaseUntil), bind(id); });
        auto rows = sql::query(session, "SELECT * FROM notifications WHERE id = ?", [&](auto& st) { st, bind(id); });
        rows.moveFirst();
        auto notification = notify::notificationFromJson(sql::json(rows, "content"));
        if (!notification) {
          // A row this build cannot read would be retried forever; fail it visibly instead.
          sql::execute(session, "UPDATE notifications SET state = 'FAILED', last_error = ?, sent_at = ? WHERE id = ?",
                       [&](auto& st) { st, bind(notification.error().message), bind(now), bind(id); });
          continue;
        }
        notification->id = id;
        notification->createdAt = sql::integer(rows, "created_at");
        notification->sendAttempts = static_cast<int>(sql::integer(rows, "attempts"));
        notification->lastError = sql::text(rows, "last_error");
        claimed.push_back(std::move(*notification));
      }
      return claimed;
    });
  } catch (const std::exception& error) {
    return unavailable(error);
  }
}

Status SqlStore::settleNotification(std::int64_t id, int sendAttempt, const std::string& state, Micros at,
                                    Micros nextAttemptAt, const std::string& error) {
  try {
    return writer_.run([&](sql::Connection& session) -> Status {
      auto rows = sql::query(session,
                             "SELECT job_id, recipient FROM notifications "
                             "WHERE id = ? AND state = 'PENDING' AND attempts = ?",
                             [&](auto& st) { st, bind(id), bind(sendAttempt); });
      if (!rows.moveFirst()) {
        return makeError(ErrorKind::Conflict, "stale_claim",
                         "notification " + std::to_string(id) + " is no longer held by send attempt " +
                             std::to_string(sendAttempt));
      }
      Poco::Nullable<std::string> lastError;
      if (!error.empty()) lastError = error;
      std::string rowState = state == "retry" ? "PENDING" : state == "sent" ? "SENT" : "FAILED";
      Poco::Nullable<Poco::Int64> settledAt;
      if (state != "retry") settledAt = at;
      sql::execute(session,
                   "UPDATE notifications SET state = ?, lease_expires_at = NULL, last_error = ?, sent_at = ?, "
                   "next_attempt_at = ? WHERE id = ?",
                   [&](auto& st) { st, bind(rowState), bind(lastError), bind(settledAt), bind(nextAttemptAt), bind(id); });
      nlohmann::json data = {{"notification_id", id},
                             {"recipient", sql::text(rows, "recipient")},
                             {"state", state},
                             {"send_attempt", sendAttempt}};
      if (!error.empty()) data["error"] = error;
      if (state == "retry") data["next_attempt_at"] = formatRfc3339(nextAttemptAt);
      appendHistory(session, sql::integer(rows, "job_id"), "NOTIFY", data, sql::databaseNow(session));
      return Ok{};
    });
  } catch (const std::exception& failure) {
    return unavailable(failure);
  }
}

Status SqlStore::markSent(std::int64_t id, int sendAttempt, Micros at) {
  return settleNotification(id, sendAttempt, "sent", at, at, "");
}

Status SqlStore::markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt, const std::string& error) {
  return settleNotification(id, sendAttempt, "retry", nowMicros(), nextAttemptAt, error);
}

Status SqlStore::markFailed(std::int64_t id, int sendAttempt, Micros at, const std::string& error) {
  return settleNotification(id, sendAttempt, "failed", at, at, error);
}

}  // namespace hookhost::storage
