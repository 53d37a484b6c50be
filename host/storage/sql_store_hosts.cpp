#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

// Rows of hosts that stopped without saying so are dropped after this long.
constexpr Micros kForgetHostsAfter = 24LL * 3600 * 1'000'000;

}  // namespace

void SqlStore::heartbeat(const HostInfo& host) {
  writer_.run([&](sql::Connection& session) {
    Micros at = sql::databaseNow(session);
    std::string plugins = nlohmann::json(host.plugins).dump();
    sql::execute(session,
                 "INSERT INTO hosts (id, address, plugins, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET address = excluded.address, plugins = excluded.plugins, "
                 "heartbeat_at = excluded.heartbeat_at",
                 [&](auto& st) { st, bind(host.id), bind(host.address), bind(plugins), bind(at), bind(at); });
    Micros forgetBefore = at - kForgetHostsAfter;
    sql::execute(session, "DELETE FROM hosts WHERE heartbeat_at < ?", [&](auto& st) { st, bind(forgetBefore); });
  });
}

std::vector<HostInfo> SqlStore::liveHosts(Micros within) {
  return read([&](sql::Connection& session) {
    Micros since = sql::databaseNow(session) - within;
    auto rows = sql::query(session, "SELECT * FROM hosts WHERE heartbeat_at >= ? ORDER BY id",
                           [&](auto& st) { st, bind(since); });
    std::vector<HostInfo> hosts;
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      hosts.push_back({sql::text(rows, "id"), sql::text(rows, "address"), sql::stringList(sql::json(rows, "plugins")),
                       sql::integer(rows, "started_at"), sql::integer(rows, "heartbeat_at")});
    }
    return hosts;
  });
}

void SqlStore::removeHost(const std::string& hostId) {
  writer_.run([&](sql::Connection& session) {
    sql::execute(session, "DELETE FROM hosts WHERE id = ?", [&](auto& st) { st, bind(hostId); });
  });
}

}  // namespace hookhost::storage
