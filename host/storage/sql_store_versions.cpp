// A handler's versions as kept by each registration (DESIGN "Repair").
#include "storage/sql_store.hpp"

#include <sstream>

#include <Poco/Base64Decoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include "storage/sql_rows.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// Of the pickle's bytes, so a client can compare it with hashlib.sha256(dill.dumps(fn)).
std::string codeSha256(const std::string& base64) {
  if (base64.empty()) return "";
  std::istringstream in(base64);
  Poco::Base64Decoder decoder(in);
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  char buffer[8192];
  while (decoder.read(buffer, sizeof buffer) || decoder.gcount() > 0) {
    engine.update(buffer, static_cast<unsigned>(decoder.gcount()));
  }
  return Poco::DigestEngine::digestToHex(engine.digest());
}

HandlerVersion versionFromRow(const sql::Rows& rows) {
  HandlerVersion version;
  version.version = static_cast<int>(sql::integer(rows, "version"));
  version.runtime = runtimeNamed(sql::text(rows, "runtime"));
  version.codeSha256 = codeSha256(sql::text(rows, "code"));
  version.settings = sql::json(rows, "settings");
  // Versions recorded before settings were kept (schema 3) still say how they ran.
  if (!version.settings.is_object() || version.settings.empty()) {
    version.settings = {{"runtime", sql::text(rows, "runtime")}, {"plugin", sql::text(rows, "plugin")},
                        {"config", sql::json(rows, "config")}, {"timeout_s", sql::integer(rows, "timeout_s")},
                        {"max_attempts", sql::integer(rows, "max_attempts")}};
  }
  version.createdAt = sql::integer(rows, "created_at");
  version.createdBy = sql::text(rows, "created_by");
  return version;
}

}  // namespace

std::optional<HandlerVersions> SqlStore::listVersions(std::int64_t handlerId) {
  return read([&](sql::Connection& session) -> std::optional<HandlerVersions> {
    auto handler = sql::query(session, "SELECT owner_id, deleted_at FROM handlers WHERE id = ?",
                              [&](auto& st) { st, bind(handlerId); });
    if (!handler.moveFirst()) return std::nullopt;
    HandlerVersions listed;
    listed.handlerId = handlerId;
    listed.ownerId = sql::integer(handler, "owner_id");
    listed.deregistered = sql::optionalInteger(handler, "deleted_at").has_value();
    auto rows = sql::query(session, "SELECT * FROM handler_versions WHERE handler_id = ? ORDER BY version DESC",
                           [&](auto& st) { st, bind(handlerId); });
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) listed.versions.push_back(versionFromRow(rows));
    return listed;
  });
}

std::optional<HandlerVersion> SqlStore::getVersion(std::int64_t handlerId, int version) {
  return read([&](sql::Connection& session) -> std::optional<HandlerVersion> {
    auto rows = sql::query(session, "SELECT * FROM handler_versions WHERE handler_id = ? AND version = ?",
                           [&](auto& st) { st, bind(handlerId), bind(version); });
    if (!rows.moveFirst()) return std::nullopt;
    HandlerVersion found = versionFromRow(rows);
    found.code = sql::text(rows, "code");
    return found;
  });
}

}  // namespace hookhost::storage
