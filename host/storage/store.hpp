#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "notify/outbox.hpp"
#include "storage/dispatch_records.hpp"
#include "storage/records.hpp"

namespace hookhost::storage {

/// The durable state of a host: users, handlers, events, jobs with their history, and the
/// notification outbox. Every write is durable when the call returns. Implementations are
/// thread-safe; concurrent writes may share one commit.
class Store : public notify::Outbox {
 public:
  virtual ~Store() = default;

  // Users and keys.
  virtual Result<User> createUser(const std::string& name, const std::string& email, Role role,
                                  const std::string& keyId, const std::string& keyHash) = 0;
  virtual std::vector<User> listUsers() = 0;
  virtual Status revokeUser(const std::string& name) = 0;
  /// A live (not revoked) user by the public part of their key.
  virtual std::optional<UserCredentials> findUserByKeyId(const std::string& keyId) = 0;
  virtual std::int64_t countUsers() = 0;

  // Handlers. Register replaces by (hook, name); only the owner or an admin may replace.
  struct Registration {
    Handler handler;
    bool created = false;
  };
  virtual Result<Registration> registerHandler(const HandlerSpec& spec, const User& actor) = 0;
  virtual std::optional<Handler> getHandler(std::int64_t id) = 0;
  /// Every live handler, or those of the given hooks; never with code.
  virtual std::vector<Handler> listHandlers(const std::vector<std::string>& hooks) = 0;
  /// Deregister; queued jobs of the handler are cancelled. Owner or admin only.
  virtual Status deleteHandler(std::int64_t id, const User& actor) = 0;

  // Events and jobs.
  /// Records the event and one job per matching handler, in one transaction. Refuses with
  /// QueueFull past `maxQueued` queued jobs, and returns the first event for a repeated key.
  /// A new event's transaction also leases what `claim` asks for, as claimJobs would.
  virtual Result<FireResult> fire(const NewEvent& event, std::int64_t maxQueued, const ClaimRequest& claim) = 0;
  Result<FireResult> fire(const NewEvent& event, std::int64_t maxQueued) { return fire(event, maxQueued, {}); }
  virtual std::optional<Event> getEvent(std::int64_t id) = 0;
  virtual std::vector<Job> jobsOfEvent(std::int64_t eventId) = 0;
  virtual std::optional<Job> getJob(std::int64_t id) = 0;  // with history
  virtual std::vector<Job> listJobs(const JobQuery& query) = 0;
  virtual Status cancelJob(std::int64_t id) = 0;

  /// Leases up to `limit` runnable jobs to `owner` for `leaseFor` (on the database's clock),
  /// honouring each handler's max_concurrency and leaving jobs of the plugins named in
  /// `leavePlugins` to other hosts; bumps attempt and records RUN.
  virtual std::vector<ClaimedJob> claimJobs(const std::string& owner, std::size_t limit, Micros leaseFor,
                                            const std::vector<std::string>& leavePlugins = {}) = 0;
  /// Extends, by `leaseFor` from now, the leases of jobs still running on this owner.
  virtual void renewLeases(const std::string& owner, const std::vector<std::int64_t>& jobIds, Micros leaseFor) = 0;
  /// Fenced by (jobId, attempt): a stale attempt is recorded in the history and not applied.
  virtual CompletionOutcome completeJob(std::int64_t jobId, int attempt, const Completion& completion) = 0;
  /// completeJob without waiting for the commit: `recorded` is called once it is durable
  /// (with the outcome) or has failed (with nullopt), on a thread of the store's; it must
  /// be quick and must not call the store.
  virtual void completeJobLater(std::int64_t jobId, int attempt, Completion completion,
                                std::function<void(std::optional<CompletionOutcome>)> recorded) = 0;
  /// A progress entry from a running attempt; fenced like completions.
  virtual CompletionOutcome appendUpdate(std::int64_t jobId, int attempt, const nlohmann::json& data) = 0;
  /// A deferred job's callback. Forbidden for a wrong or expired token; Conflict when the
  /// job is not waiting.
  virtual Status applyCallback(std::int64_t jobId, const std::string& tokenHash, CallbackEvent event,
                               const nlohmann::json& data) = 0;
  /// Jobs whose lease expired (or, at start-up of a host that owns its store alone, every
  /// running job and every notification lease) go back to the queue: a lost host is not
  /// the handler's failure, so up to two such losses beyond max_attempts; then they fail.
  /// Waiting jobs past their deadline time out.
  virtual RescueCounts rescueExpired(RescueScope scope) = 0;
  virtual std::int64_t countQueued() = 0;
  /// Jobs per state, for /metrics.
  virtual std::vector<std::pair<std::string, std::int64_t>> countJobsByState() = 0;

  // Hosts sharing the store.
  /// Whether other hosts may use this store at once (PostgreSQL) or it is this host's
  /// alone (SQLite), which decides what a starting host may take back.
  virtual Sharing sharing() const = 0;
  /// Records that `host` is alive now (inserting it the first time).
  virtual void heartbeat(const HostInfo& host) = 0;
  /// Hosts whose last heartbeat is at most `within` old.
  virtual std::vector<HostInfo> liveHosts(Micros within) = 0;
  /// A host that stops cleanly leaves the list at once.
  virtual void removeHost(const std::string& hostId) = 0;
};

}  // namespace hookhost::storage
