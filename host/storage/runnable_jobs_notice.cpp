#include "storage/runnable_jobs_notice.hpp"

#include "storage/postgres_wakeups.hpp"

namespace hookhost::storage {
namespace {

// Signed with this process's name, so that its own listener can skip it: this host already
// woke its dispatcher itself. PostgreSQL folds equal notifications of one transaction, and
// one per batch is all a listener needs anyway.
const std::string& notifyStatement() {
  static const std::string statement = [] {
    std::string sender;
    for (char c : wakeupSender()) sender += c == '\'' ? std::string("''") : std::string(1, c);
    return std::string("NOTIFY ") + kJobsChannel + ", '" + sender + "'";
  }();
  return statement;
}

}  // namespace

const char* RunnableJobsNotice::beforeCommit(sql::Dialect dialect, bool lastWorkKept) {
  const bool queued = queuedJobs_ || (lastWorkKept && counter_.workQueues());
  if (!queued || dialect != sql::Dialect::Postgres) return nullptr;
  return notifyStatement().c_str();
}

}  // namespace hookhost::storage
