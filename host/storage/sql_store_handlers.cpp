#include "storage/sql_store.hpp"
#include "storage/sql_rows.hpp"
#include "storage/handler_settings.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

Handler handlerFromRow(const sql::Rows& rows) {
  Handler handler;
  handler.id = sql::integer(rows, "id");
  handler.version = static_cast<int>(sql::integer(rows, "version"));
  handler.ownerId = sql::integer(rows, "owner_id");
  handler.createdAt = sql::integer(rows, "created_at");
  handler.createdBy = sql::text(rows, "created_by");
  handler.updatedAt = sql::integer(rows, "updated_at");
  handler.updatedBy = sql::text(rows, "updated_by");
  HandlerSpec& spec = handler.spec;
  spec.name = sql::text(rows, "name");
  spec.hook = sql::text(rows, "hook");
  spec.runtime = runtimeNamed(sql::text(rows, "runtime"));
  spec.notifyOnSuccess = sql::text(rows, "notify_on_success");
  spec.notifyOnFailure = sql::text(rows, "notify_on_failure");
  spec.tags = sql::stringList(sql::json(rows, "tags"));
  spec.timeoutS = static_cast<int>(sql::integer(rows, "timeout_s"));
  spec.maxAttempts = static_cast<int>(sql::integer(rows, "max_attempts"));
  spec.maxConcurrency = static_cast<int>(sql::integer(rows, "max_concurrency"));
  spec.plugin = sql::text(rows, "plugin");
  spec.pythonVersion = sql::text(rows, "python_version");
  spec.config = sql::json(rows, "config");
  if (!spec.config.is_object()) spec.config = nlohmann::json::object();
  spec.filter = sql::json(rows, "content_filter");  // NULL reads as JSON null: no filter
  if (auto coalesce = sql::optionalText(rows, "coalesce_settings")) spec.coalesce = jobs::coalesceFromText(*coalesce);
  return handler;
}

// The stored form of a handler's coalesce settings: NULL for none.
std::optional<std::string> coalesceText(const HandlerSpec& spec) {
  if (!spec.coalesce) return std::nullopt;
  return jobs::coalesceToJson(*spec.coalesce).dump();
}

// The handler's current version joined with its row; code only when asked for.
std::string handlerSelect(bool withCode) {
  return std::string("SELECT h.*, v.plugin, v.config, v.python_version") + (withCode ? ", v.code" : "") +
         " FROM handlers h JOIN handler_versions v ON v.handler_id = h.id AND v.version = h.version ";
}

// Every registration is kept whole (settings: storage/handler_settings.hpp), for re-runs of
// the jobs it ran and for rollbacks.
void insertVersion(sql::Connection& session, std::int64_t handlerId, int version, const HandlerSpec& spec,
                   Micros at, const std::string& by) {
  std::string config = spec.config.dump();
  std::string runtime(runtimeName(spec.runtime));
  const auto coalesce = coalesceText(spec);
  std::string settings = settingsOf(spec).dump();
  sql::execute(session,
               "INSERT INTO handler_versions (handler_id, version, runtime, code, plugin, config, timeout_s, "
               "max_attempts, created_at, settings, created_by, coalesce_settings, python_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [&](auto& st) {
                 st, bind(handlerId), bind(version), bind(runtime), bind(spec.code), bind(spec.plugin),
                     bind(config), bind(spec.timeoutS), bind(spec.maxAttempts), bind(at), bind(settings), bind(by), bind(coalesce),
                     bind(spec.pythonVersion);
               });
}

// A registration that names no filter keeps the handler's (DESIGN.md: the filter is part of
// the handler and survives a replace); null removes it.
void writeFilter(sql::Connection& session, std::int64_t handlerId, const HandlerSpec& spec) {
  if (!spec.filter) return;
  Poco::Nullable<std::string> text;
  if (!spec.filter->is_null()) text = spec.filter->dump();
  sql::execute(session, "UPDATE handlers SET content_filter = ? WHERE id = ?",
               [&](auto& st) { st, bind(text), bind(handlerId); });
}

bool mayChange(const User& actor, std::int64_t ownerId) {
  return actor.role == Role::Admin || actor.id == ownerId;
}

}  // namespace

std::optional<Handler> SqlStore::readHandler(sql::Connection& session, std::int64_t id, bool withCode) {
  auto rows = sql::query(session, handlerSelect(withCode) + "WHERE h.id = ? AND h.deleted_at IS NULL",
                         [&](auto& st) { st, bind(id); });
  if (!rows.moveFirst()) return std::nullopt;
  Handler handler = handlerFromRow(rows);
  if (withCode) handler.spec.code = sql::text(rows, "code");
  return handler;
}

Result<Store::Registration> SqlStore::registerHandler(const HandlerSpec& spec, const User& actor) {
  return writeLosingRaceOnce([&](sql::Connection& session) -> Result<Registration> {
    Micros at = sql::databaseNow(session);
    std::string tags = nlohmann::json(spec.tags).dump();
    std::string runtime(runtimeName(spec.runtime));
    const auto coalesce = coalesceText(spec);
    auto existing = sql::query(session,
                               std::string("SELECT id, version, owner_id, created_by FROM handlers "
                                           "WHERE hook = ? AND name = ? AND deleted_at IS NULL") +
                                   sql::lockForUpdate(session.dialect()),
                               [&](auto& st) { st, bind(spec.hook), bind(spec.name); });
    if (existing.moveFirst()) {
      std::int64_t id = sql::integer(existing, "id");
      if (!mayChange(actor, sql::integer(existing, "owner_id"))) {
        return makeError(ErrorKind::Forbidden, "not_owner",
                         "handler '" + spec.name + "' on " + spec.hook + " belongs to " +
                             sql::text(existing, "created_by") + "; only its owner or an admin may replace it");
      }
      int version = static_cast<int>(sql::integer(existing, "version")) + 1;
      sql::execute(session,
                   "UPDATE handlers SET version = ?, runtime = ?, notify_on_success = ?, notify_on_failure = ?, "
                   "tags = ?, timeout_s = ?, max_attempts = ?, max_concurrency = ?, updated_at = ?, updated_by = ?, "
                   "coalesce_settings = ? WHERE id = ?",
                   [&](auto& st) {
                     st, bind(version), bind(runtime), bind(spec.notifyOnSuccess), bind(spec.notifyOnFailure),
                         bind(tags), bind(spec.timeoutS), bind(spec.maxAttempts), bind(spec.maxConcurrency),
                         bind(at), bind(actor.name), bind(coalesce), bind(id);
                   });
      insertVersion(session, id, version, spec, at, actor.name);
      writeFilter(session, id, spec);
      return Registration{*readHandler(session, id, false), false, giveWebhookSecret(session, id, spec, at)};
    }
    std::int64_t id = sql::insert(
        session,
        "INSERT INTO handlers (name, hook, version, runtime, notify_on_success, notify_on_failure, tags, "
        "timeout_s, max_attempts, max_concurrency, owner_id, created_at, created_by, updated_at, updated_by, "
        "coalesce_settings) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [&](auto& st) {
          st, bind(spec.name), bind(spec.hook), bind(runtime), bind(spec.notifyOnSuccess),
              bind(spec.notifyOnFailure), bind(tags), bind(spec.timeoutS), bind(spec.maxAttempts),
              bind(spec.maxConcurrency), bind(actor.id), bind(at), bind(actor.name), bind(at), bind(actor.name),
              bind(coalesce);
        });
    insertVersion(session, id, 1, spec, at, actor.name);
    writeFilter(session, id, spec);
    return Registration{*readHandler(session, id, false), true, giveWebhookSecret(session, id, spec, at)};
  });
}

std::optional<Handler> SqlStore::getHandler(std::int64_t id) {
  return read([&](sql::Connection& session) { return readHandler(session, id, false); });
}

std::vector<Handler> SqlStore::listHandlers(const std::vector<std::string>& hooks) {
  std::string where = "WHERE h.deleted_at IS NULL";
  if (!hooks.empty()) where += " AND h.hook IN (" + sql::placeholders(hooks.size()) + ")";
  return read([&](sql::Connection& session) {
    auto rows = sql::query(session, handlerSelect(false) + where + " ORDER BY h.id", [&](auto& st) {
      for (const auto& hook : hooks) st, bind(hook);
    });
    std::vector<Handler> handlers;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) handlers.push_back(handlerFromRow(rows));
    return handlers;
  });
}

Status SqlStore::deleteHandler(std::int64_t id, const User& actor, const Decide& queuedJob) {
  return writer_.run([&](sql::Connection& session) -> Status {
    auto existing = readHandler(session, id, false);
    if (!existing) return makeError(ErrorKind::NotFound, "handler_not_found", "no handler with id " + std::to_string(id));
    if (!mayChange(actor, existing->ownerId)) {
      return makeError(ErrorKind::Forbidden, "not_owner",
                       "handler " + std::to_string(id) + " belongs to " + existing->createdBy +
                           "; only its owner or an admin may deregister it");
    }
    Micros at = sql::databaseNow(session);
    sql::execute(session, "UPDATE handlers SET deleted_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                 [&](auto& st) { st, bind(at), bind(at), bind(actor.name), bind(id); });
    // Work not yet started for a handler that no longer exists is cancelled, visibly.
    // Jobs another host is claiming this moment are skipped: they run, as they would
    // have a moment earlier.
    const std::string queuedState = jobStateName(JobState::Queued), pendingState = jobStateName(JobState::Pending);
    auto queued = sql::query(session,
                             std::string("SELECT id, state, attempt, max_attempts FROM jobs "
                                         "WHERE handler_id = ? AND state IN (?, ?)") +
                                 sql::lockAndSkipLocked(session.dialect()),
                             [&](auto& st) { st, bind(id), bind(queuedState), bind(pendingState); });
    for (bool more = queued.moveFirst(); more; more = queued.moveNext()) {
      jobs::JobFacts facts;
      facts.jobId = sql::integer(queued, "id");
      facts.state = parseJobState(sql::text(queued, "state")).value_or(JobState::Queued);
      facts.attempt = static_cast<int>(sql::integer(queued, "attempt"));
      facts.maxAttempts = static_cast<int>(sql::integer(queued, "max_attempts"));
      facts.now = at;
      applyDecision(session, {facts.jobId, facts.attempt}, queuedJob(facts), at);
    }
    return Ok{};
  });
}

}  // namespace hookhost::storage
