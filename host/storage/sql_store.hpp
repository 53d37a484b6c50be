#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <type_traits>


#include "filter/filter_cache.hpp"
#include "storage/group_committer.hpp"
#include "storage/queued_counter.hpp"
#include "storage/kept_readers.hpp"
#include "storage/runnable_jobs_notice.hpp"
#include "storage/store.hpp"
#include "storage/store_unavailable.hpp"

namespace hookhost::storage {

/// The Store over Poco Data, on one of two databases with the same schema and SQL:
/// - SQLite in WAL mode with synchronous=FULL, so a committed write survives power loss;
///   the store of one host.
/// - PostgreSQL, shared by several hosts: claims lock and skip rows other hosts hold, and
///   leases and deadlines run on the database's clock. Lost connections are re-opened; what
///   could not reach the database fails with StoreUnavailable.
/// All writes of a host go through one GroupCommitter; reads use a pool of connections.
/// It is also the notification outbox: the rows are written by the transaction that ends
/// a job, to the address its transition names.
class SqlStore final : public Store {
 public:
  /// Opens (creating if needed) the SQLite database at `path` and migrates it. Throws
  /// SchemaError or Poco::Exception when that fails.
  static std::unique_ptr<SqlStore> openSqlite(const std::filesystem::path& path);
  /// Connects to the PostgreSQL database at `url` (postgresql://…) and migrates it. Throws
  /// SchemaError, StoreUnavailable or std::invalid_argument (a malformed URL).
  static std::unique_ptr<SqlStore> openPostgres(const std::string& url);
  ~SqlStore() override;

  Result<User> createUser(const std::string& name, const std::string& email, Role role,
                          const std::string& keyId, const std::string& keyHash) override;
  std::vector<User> listUsers() override;
  Status revokeUser(const std::string& name) override;
  std::optional<UserCredentials> findUserByKeyId(const std::string& keyId) override;
  std::int64_t countUsers() override;

  Result<Registration> registerHandler(const HandlerSpec& spec, const User& actor) override;
  Result<std::optional<std::string>> webhookSecret(std::int64_t handlerId) override;
  std::optional<Handler> getHandler(std::int64_t id) override;
  std::vector<Handler> listHandlers(const std::vector<std::string>& hooks) override;
  Status deleteHandler(std::int64_t id, const User& actor, const Decide& queuedJob) override;
  std::optional<HandlerVersions> listVersions(std::int64_t handlerId) override;
  std::optional<HandlerVersion> getVersion(std::int64_t handlerId, int version) override;

  using JobStore::fire;
  Result<FireResult> fire(const NewEvent& event, std::int64_t maxQueued, const ClaimRequest& claim) override;
  Result<FiredBatch> fireMany(const std::vector<NewEvent>& events, std::int64_t maxQueued,
                              const ClaimRequest& claim) override;
  std::vector<Job> jobsByIds(const std::vector<std::int64_t>& ids, const JobReader& reader) override;
  std::optional<Event> getEvent(std::int64_t id) override;
  std::vector<Job> jobsOfEvent(std::int64_t eventId) override;
  std::optional<Job> getJob(std::int64_t id) override;
  std::vector<Job> listJobs(const JobQuery& query) override;
  JobStats jobStats(const StatsQuery& query) override;

  std::vector<ClaimedJob> claimJobs(const std::string& owner, std::size_t limit, Micros leaseFor,
                                    const std::vector<std::string>& leavePlugins = {}) override;
  void renewLeases(const std::string& owner, const std::vector<std::int64_t>& jobIds, Micros leaseFor) override;
  CompletionOutcome applyTransition(JobKey key, const TransitionWrite& write) override;
  void applyTransitionLater(JobKey key, TransitionWrite write,
                            std::function<void(std::optional<CompletionOutcome>)> recorded) override;
  Status transitionJob(std::int64_t jobId, const std::optional<std::string>& tokenHash,
                       const Decide& decide) override;
  CompletionOutcome appendUpdate(std::int64_t jobId, int attempt, const nlohmann::json& data) override;
  RescueCounts rescueExpired(RescueScope scope, const RescueRules& rules) override;
  Result<std::vector<Rerun>> rerunJobs(const RerunSelection& selection, std::int64_t maxQueued,
                                       const DecideRerun& decide) override;
  std::vector<Job> replayCandidates(const ReplayQuery& query) override;
  int closeDueWindows(const CloseWindow& close) override;
  ChainRecords readChain(std::int64_t rootEventId, std::size_t maxEvents) override;
  std::int64_t countQueued() override;
  std::vector<std::pair<std::string, std::int64_t>> countJobsByState() override;

  Sharing sharing() const override { return sharing_; }
  void heartbeat(const HostInfo& host) override;
  std::vector<HostInfo> liveHosts(Micros within) override;
  void removeHost(const std::string& hostId) override;

  Result<std::vector<outbox::Notification>> claimDue(Micros now, std::size_t limit, Micros leaseUntil,
                                                     outbox::Channel channel = outbox::Channel::Mail) override;
  Status markSent(std::int64_t id, int sendAttempt, Micros at) override;
  Status markRetry(std::int64_t id, int sendAttempt, Micros nextAttemptAt, const std::string& error) override;
  Status markFailed(std::int64_t id, int sendAttempt, Micros at, const std::string& error) override;
  void recordLater(outbox::SendOutcome outcome, std::function<void(Status)> recorded) override;
  std::uint64_t queuedHere(outbox::Channel channel) const override;

  /// The single writer every write of this store goes through; maintenance (retention)
  /// runs its statements there so that it shares the group commit instead of contending.
  GroupCommitter& writer() { return writer_; }

 private:
  SqlStore(std::unique_ptr<KeptReaders> readers, Poco::Data::Session writer, Sharing sharing);

  /// Runs `work` on one of the kept read connections, which is opened again and the read
  /// tried again when the database dropped it. When none can be had, StoreUnavailable.
  template <typename Read>
  auto read(Read&& work) -> std::invoke_result_t<Read, sql::Connection&>;
  /// Runs `work` in the writer. On a shared store another host may insert the same unique
  /// row (an event's key, a handler's name) between `work`'s look-up and its insert; the
  /// index then refuses ours, and the second try finds theirs.
  template <typename Work>
  auto writeLosingRaceOnce(Work&& work) -> std::invoke_result_t<Work, sql::Connection&>;
  std::optional<Handler> readHandler(sql::Connection& session, std::int64_t id, bool withCode);
  /// A new secret when `spec` names a URL and the handler has no secret yet (in the
  /// registration's transaction); else nothing.
  std::optional<std::string> giveWebhookSecret(sql::Connection& session, std::int64_t handlerId,
                                               const HandlerSpec& spec, Micros at);
  std::vector<Job> readJobs(sql::Connection& session, const std::string& where,
                            const std::function<void(sql::Params&)>& bindParameters);
  /// A handler an event matched, as the fire records its job.
  struct WindowMatch {
    std::int64_t id;
    int version;
    int maxAttempts;
    std::string name;
    std::optional<jobs::CoalesceSettings> coalesce;
  };
  // Writer-thread helpers: they run inside the caller's transaction.
  /// One re-run inside the caller's transaction; a refusal is thrown (RerunRefused) so the
  /// whole selection rolls back.
  Rerun rerunIn(sql::Connection& session, const RerunRequest& request, const DecideRerun& decide, Micros at);
  /// Adds the event to the handler's open window for `key` (opening one: a PENDING job);
  /// returns the job.
  std::int64_t gatherInWindow(sql::Connection& session, std::int64_t eventId, const WindowMatch& match,
                              const std::string& key, Micros at);
  Result<FireResult> fireIn(sql::Connection& session, const NewEvent& event, std::int64_t maxQueued);
  // The steps of fireIn.
  std::vector<WindowMatch> handlersMatching(sql::Connection& session, const NewEvent& event);
  std::int64_t insertEvent(sql::Connection& session, const NewEvent& event, Micros at);
  /// A QUEUED job per match, or the event gathered in the match's coalescing window.
  void createJobs(sql::Connection& session, const NewEvent& event, const std::vector<WindowMatch>& matches,
                  FireResult& fired, Micros at);
  void appendHistory(sql::Connection& session, std::int64_t jobId, jobs::HistoryKind kind,
                     const nlohmann::json& data, Micros at);
  /// The one write of a job's state: `write`, fenced by (key, transition.from).
  CompletionOutcome applyIn(sql::Connection& session, JobKey key, const TransitionWrite& write, Micros at);
  /// Applies `decision` to a job read in this transaction; a refusal is the error.
  Status applyDecision(sql::Connection& session, JobKey key, const jobs::Decision& decision, Micros at);
  nlohmann::json recordEmitted(sql::Connection& session, std::int64_t jobId, const std::vector<NewEvent>& emitted);
  void queueNotification(sql::Connection& session, std::int64_t jobId, jobs::Notify whom, Micros at);
  int lostLeasesInARow(sql::Connection& session, std::int64_t jobId);
  int rescueLostAttempts(sql::Connection& session, Micros cutoff, Micros now, const RescueRules& rules,
                         RescueCounts& counts);
  std::int64_t queuedNow(sql::Connection& session);
  std::vector<ClaimedJob> claimIn(sql::Connection& session, const ClaimRequest& claim);
  /// The queued jobs `claim` may take now, within each handler's max_concurrency.
  std::vector<std::int64_t> claimableJobs(sql::Connection& session, const ClaimRequest& claim, Micros at);
  std::vector<ClaimedJob> leaseJobs(sql::Connection& session, const std::vector<std::int64_t>& chosen,
                                    const std::string& owner, Micros leaseUntil, Micros at);
  std::map<std::int64_t, std::int64_t> runningPerHandler(sql::Connection& session,
                                                         std::vector<std::int64_t> handlerIds);
  Status settleIn(sql::Connection& session, const outbox::SendOutcome& outcome);
  Status settleNotification(const outbox::SendOutcome& outcome);

  // How long a read waits for a connection before the request fails.
  static constexpr std::chrono::seconds kReaderWait{10};

  std::unique_ptr<KeptReaders> readers_;
  // The queue length the 429 limit is checked against, kept by the writer thread. Other
  // hosts change a shared queue too, so there it is re-read now and then. Declared before
  // the writer, which tells it of each commit.
  QueuedCounter queued_;
  RunnableJobsNotice notice_{queued_};  // the writer's observer: the count, and NOTIFY on PostgreSQL
  Micros queuedReadAt_ = 0;
  // Notifications queued by this process, per channel (outbox::Outbox::queuedHere).
  std::array<std::atomic<std::uint64_t>, 2> notificationsQueued_{};
  // Handlers' compiled content filters, used by fires on the writer thread; declared before
  // the writer so that it outlives the writer's last transaction.
  filter::FilterCache filters_;
  GroupCommitter writer_;
  const Sharing sharing_;
};

template <typename Work>
auto SqlStore::writeLosingRaceOnce(Work&& work) -> std::invoke_result_t<Work, sql::Connection&> {
  if (sharing_ == Sharing::ThisHostOnly) return writer_.run(work);
  try {
    return writer_.run(work);
  } catch (const StoreUnavailable&) {
    throw;
  } catch (const Poco::Exception&) {
    return writer_.run(work);
  }
}

template <typename Read>
auto SqlStore::read(Read&& work) -> std::invoke_result_t<Read, sql::Connection&> {
  auto lease = readers_->acquire(kReaderWait);
  // A restarted database or a terminated backend drops a kept connection, which shows only
  // when it is used: opened again, the read is tried once more.
  for (int attempt = 1;; ++attempt) {
    try {
      return work(lease.connection());
    } catch (const Poco::Exception& error) {
      if (lease.usable()) throw;
      if (attempt == 2) throw StoreUnavailable("the database connection was lost: " + error.displayText());
    }
    lease.reconnect();
  }
}

}  // namespace hookhost::storage
