#include "common/webhook_secret.hpp"
#include "common/webhook_url.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

// The secret is made with the handler's first URL, not at creation, so that the answer
// that shows it is the one whose caller is setting up a receiver.
std::optional<std::string> SqlStore::giveWebhookSecret(sql::Connection& session, std::int64_t handlerId,
                                                       const HandlerSpec& spec, Micros at) {
  if (!isWebhookDestination(spec.notifyOnSuccess) && !isWebhookDestination(spec.notifyOnFailure)) return std::nullopt;
  auto existing = sql::query(session, "SELECT handler_id FROM webhook_secrets WHERE handler_id = ?",
                             [&](auto& st) { st, bind(handlerId); });
  if (existing.moveFirst()) return std::nullopt;
  std::string secret = newWebhookSecret();
  sql::execute(session, "INSERT INTO webhook_secrets (handler_id, secret, created_at) VALUES (?, ?, ?)",
               [&](auto& st) { st, bind(handlerId), bind(secret), bind(at); });
  return secret;
}

Result<std::optional<std::string>> SqlStore::webhookSecret(std::int64_t handlerId) {
  try {
    return read([&](sql::Connection& session) -> std::optional<std::string> {
      auto rows = sql::query(session, "SELECT secret FROM webhook_secrets WHERE handler_id = ?",
                             [&](auto& st) { st, bind(handlerId); });
      if (!rows.moveFirst()) return std::nullopt;
      return sql::text(rows, "secret");
    });
  } catch (const std::exception& error) {
    return makeError(ErrorKind::Unavailable, "store_unavailable", error.what());
  }
}

}  // namespace hookhost::storage
