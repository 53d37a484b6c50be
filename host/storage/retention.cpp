#include "storage/retention.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/group_committer.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_store.hpp"

namespace hookhost::storage {
namespace {

using sql::bind;

// Delete statements take their ids in IN lists of at most this many.
constexpr std::size_t kChunk = 500;
// Another host of a shared store holding it is pruning; this one skips its turn.
constexpr const char* kPruneLock = "SELECT pg_try_advisory_xact_lock(72417002) AS locked";

// A chain is kept while any part of it is younger than the cutoff or still in use: an
// event created since, a job not terminal or finished since, a notification not settled or
// settled since.
const char* kChainOfRoots =
    "WITH RECURSIVE chain(root_id, event_id) AS ("
    " SELECT id, id FROM events WHERE id IN (%IDS%)"
    " UNION ALL"
    " SELECT c.root_id, e.id FROM chain c JOIN jobs j ON j.event_id = c.event_id"
    " JOIN events e ON e.parent_job_id = j.id) "
    "SELECT c.root_id, c.event_id, CASE WHEN e.created_at >= ? OR EXISTS ("
    " SELECT 1 FROM jobs j WHERE j.event_id = c.event_id AND ("
    "  j.state NOT IN %TERMINAL%"
    "  OR j.finished_at IS NULL OR j.finished_at >= ?"
    "  OR EXISTS (SELECT 1 FROM notifications n WHERE n.job_id = j.id"
    "   AND (n.state = 'PENDING' OR COALESCE(n.sent_at, n.created_at) >= ?))))"
    " THEN 1 ELSE 0 END AS kept "
    "FROM chain c JOIN events e ON e.id = c.event_id";

// kChainOfRoots for `count` roots, with the terminal states as the lifecycle spells them.
std::string chainOfRoots(std::size_t count) {
  std::string sql = kChainOfRoots;
  sql.replace(sql.find("%IDS%"), 5, sql::placeholders(count));
  return sql.replace(sql.find("%TERMINAL%"), 10, sql::terminalStatesList());
}

void bindIds(sql::Params& params, const std::vector<std::int64_t>& ids) {
  for (std::int64_t id : ids) params, bind(id);
}

// The window's events older than the cutoff that start a chain: fired ones, and emitted
// ones whose parent job is gone (an attempt that outlived its job's end).
struct Window {
  std::vector<std::int64_t> roots;
  std::int64_t lastId = 0;
  bool more = false;
};

Window readWindow(sql::Connection& session, std::int64_t after, Micros cutoff) {
  auto rows = sql::query(session,
                         "SELECT e.id, e.created_at, e.parent_job_id, p.id AS parent FROM events e "
                         "LEFT JOIN jobs p ON p.id = e.parent_job_id WHERE e.id > ? ORDER BY e.id LIMIT ?",
                         [&](auto& st) { st, bind(after), bind(SqlPruner::kWindow); });
  Window window;
  bool anyOld = false;
  for (bool row = rows.moveFirst(); row; row = rows.moveNext()) {
    window.lastId = sql::integer(rows, "id");
    if (sql::integer(rows, "created_at") >= cutoff) continue;
    anyOld = true;
    if (!sql::optionalInteger(rows, "parent_job_id") || !sql::optionalInteger(rows, "parent")) {
      window.roots.push_back(window.lastId);
    }
  }
  // Event ids grow with time: a window of only newer events ends the sweep.
  window.more = anyOld && rows.rowCount() == static_cast<std::size_t>(SqlPruner::kWindow);
  return window;
}

// The events of the chains of `roots` that may go.
std::vector<std::int64_t> prunableEvents(sql::Connection& session, const std::vector<std::int64_t>& roots,
                                         Micros cutoff) {
  auto rows = sql::query(session, chainOfRoots(roots.size()), [&](auto& st) {
    bindIds(st, roots);
    st, bind(cutoff), bind(cutoff), bind(cutoff);
  });
  std::map<std::int64_t, std::vector<std::int64_t>> chains;
  std::map<std::int64_t, bool> kept;
  for (bool row = rows.moveFirst(); row; row = rows.moveNext()) {
    std::int64_t root = sql::integer(rows, "root_id");
    chains[root].push_back(sql::integer(rows, "event_id"));
    kept[root] = kept[root] || sql::integer(rows, "kept") != 0;
  }
  std::vector<std::int64_t> events;
  for (const auto& [root, members] : chains) {
    if (!kept[root]) events.insert(events.end(), members.begin(), members.end());
  }
  return events;
}

void deleteEvents(sql::Connection& session, const std::vector<std::int64_t>& events, PrunedRows& pruned) {
  for (std::size_t start = 0; start < events.size(); start += kChunk) {
    std::vector<std::int64_t> chunk(events.begin() + static_cast<std::ptrdiff_t>(start),
                                    events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), start + kChunk)));
    const std::string in = sql::placeholders(chunk.size());
    auto run = [&](const std::string& statement) {
      return static_cast<std::int64_t>(sql::execute(session, statement, [&](auto& st) { bindIds(st, chunk); }));
    };
    // Children first: the foreign keys point from history and mail to jobs, from jobs to events.
    pruned.history += run("DELETE FROM job_history WHERE job_id IN (SELECT id FROM jobs WHERE event_id IN (" + in + "))");
    pruned.notifications +=
        run("DELETE FROM notifications WHERE job_id IN (SELECT id FROM jobs WHERE event_id IN (" + in + "))");
    run("DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE event_id IN (" + in + "))");
    run("DELETE FROM job_events WHERE event_id IN (" + in + ")");
    pruned.jobs += run("DELETE FROM jobs WHERE event_id IN (" + in + ")");
    pruned.events += run("DELETE FROM events WHERE id IN (" + in + ")");
  }
}

std::int64_t pragmaValue(sql::Connection& session, const std::string& name) {
  auto rows = sql::query(session, "PRAGMA " + name, [](auto&) {});
  return rows.moveFirst() ? sql::integer(rows, name) : 0;
}

// Past a slack kept for the next inserts, free pages go back to the file system.
void returnFreePages(sql::Connection& session) {
  std::int64_t excess = pragmaValue(session, "freelist_count") - SqlPruner::kKeepFreePages;
  if (excess <= 0) return;
  std::int64_t pages = std::min(excess, SqlPruner::kVacuumPagesPerBatch);
  sql::execute(session, "PRAGMA incremental_vacuum(" + std::to_string(pages) + ")", [](auto&) {});
}

bool incrementalVacuum(sql::Connection& session) {
  constexpr std::int64_t kIncremental = 2;
  return pragmaValue(session, "auto_vacuum") == kIncremental;
}

}  // namespace

std::unique_ptr<SqlPruner> SqlPruner::forStore(Store& store) {
  auto* sqlStore = dynamic_cast<SqlStore*>(&store);
  if (!sqlStore) throw std::invalid_argument("retention needs a SQL store");
  return std::make_unique<SqlPruner>(sqlStore->writer());
}

SqlPruner::SqlPruner(GroupCommitter& writer) : writer_(writer) {}

bool SqlPruner::givesSpaceBack() {
  return writer_.run([](sql::Connection& session) {
    return session.dialect() == sql::Dialect::Postgres || incrementalVacuum(session);
  });
}

PrunedRows SqlPruner::pruneBatch(Micros cutoff) {
  PrunedRows pruned = writer_.run([&](sql::Connection& writer) {
    // Prepared for this call only: the writer keeps the statements it runs all day, and
    // these IN lists vary in length.
    sql::Connection session(writer.session());
    PrunedRows rows;
    if (session.dialect() == sql::Dialect::Postgres) {
      auto lock = sql::query(session, kPruneLock, [](auto&) {});
      if (!lock.moveFirst() || sql::integer(lock, "locked") == 0) return rows;
    }
    Window window = readWindow(session, cursor_, cutoff);
    rows.more = window.more;
    if (!window.roots.empty()) deleteEvents(session, prunableEvents(session, window.roots, cutoff), rows);
    if (session.dialect() == sql::Dialect::Sqlite && rows.events > 0 && incrementalVacuum(session)) {
      returnFreePages(session);
    }
    cursor_ = window.more ? window.lastId : 0;
    return rows;
  });
  return pruned;
}

}  // namespace hookhost::storage
