// Chains: an event, the jobs it ran and, under each, the events it emitted. Every event
// of a chain carries the chain's root (root_event_id, NULL on the root itself), so one
// indexed look-up finds the whole chain.
#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"
#include "storage/sql_store_coalesce.hpp"

namespace hookhost::storage {

using sql::bind;

namespace {

const char* kChainEvents = "SELECT id FROM events WHERE id = ? OR root_event_id = ?";
// How many steps a failure email lists.
constexpr int kMaxReportedSteps = 50;

}  // namespace

ChainRecords SqlStore::readChain(std::int64_t rootEventId, std::size_t maxEvents) {
  return read([&](sql::Connection& session) {
    ChainRecords chain;
    auto limit = static_cast<Poco::Int64>(maxEvents + 1);
    auto events = sql::query(session, "SELECT * FROM events WHERE id = ? OR root_event_id = ? ORDER BY id LIMIT ?",
                             [&](auto& st) { st, bind(rootEventId), bind(rootEventId), bind(limit); });
    for (bool more = events.moveFirst(); more; more = events.moveNext()) chain.events.push_back(eventFromRow(events));
    if (chain.events.size() > maxEvents) {
      chain.events.pop_back();
      chain.truncated = true;
    }
    chain.jobs = readJobs(session,
                          std::string("WHERE j.event_id IN (") + kChainEvents +
                              ") OR j.id IN (SELECT job_id FROM job_events WHERE event_id IN (" + kChainEvents +
                              ")) ORDER BY j.id",
                          [&](auto& st) { st, bind(rootEventId), bind(rootEventId), bind(rootEventId), bind(rootEventId); });
    auto links = sql::query(session, std::string("SELECT job_id, event_id FROM job_events WHERE event_id IN (") +
                                         kChainEvents + ") ORDER BY job_id, event_id",
                            [&](auto& st) { st, bind(rootEventId), bind(rootEventId); });
    for (bool more = links.moveFirst(); more; more = links.moveNext()) {
      chain.gathered.emplace_back(sql::integer(links, "job_id"), sql::integer(links, "event_id"));
    }
    return chain;
  });
}

nlohmann::json chainReportOf(sql::Connection& session, std::int64_t eventId) {
  auto root = sql::query(session, "SELECT COALESCE(e.root_event_id, e.id) AS root FROM events e WHERE e.id = ?",
                         [&](auto& st) { st, bind(eventId); });
  if (!root.moveFirst()) return nullptr;
  const std::int64_t rootId = sql::integer(root, "root");
  auto steps = sql::query(session,
                          std::string("SELECT j.id, j.event_id, j.state, j.error, h.name, h.hook FROM jobs j "
                                      "JOIN handlers h ON h.id = j.handler_id WHERE j.event_id IN (") +
                              kChainEvents + ") ORDER BY j.id LIMIT " + std::to_string(kMaxReportedSteps + 1),
                          [&](auto& st) { st, bind(rootId), bind(rootId); });
  nlohmann::json list = nlohmann::json::array();
  for (bool more = steps.moveFirst(); more; more = steps.moveNext()) {
    list.push_back({{"job_id", sql::integer(steps, "id")},
                    {"event_id", sql::integer(steps, "event_id")},
                    {"handler", sql::text(steps, "name")},
                    {"hook", sql::text(steps, "hook")},
                    {"state", sql::text(steps, "state")}});
  }
  // One job alone is not a chain: its email says all there is.
  if (list.size() < 2) return nullptr;
  const bool truncated = list.size() > kMaxReportedSteps;
  if (truncated) list.erase(list.end() - 1);
  auto hook = sql::query(session, "SELECT hook FROM events WHERE id = ?", [&](auto& st) { st, bind(rootId); });
  return {{"root_event_id", rootId},
          {"root_hook", hook.moveFirst() ? sql::text(hook, "hook") : ""},
          {"steps", list},
          {"truncated", truncated}};
}

}  // namespace hookhost::storage
