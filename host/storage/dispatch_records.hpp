#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/records.hpp"

namespace hookhost::storage {

/// An event to record: fired over REST or emitted by a running handler.
struct NewEvent {
  std::string hook;
  nlohmann::json payload = nlohmann::json::object();
  std::vector<std::string> tags;
  std::optional<std::string> key;
  std::optional<std::int64_t> parentJobId;
  std::optional<std::int64_t> rootEventId;  // emitted: the chain's root (the parent job's)
  int depth = 0;
  std::string createdBy;
};

struct FiredJob {
  std::int64_t jobId = 0;
  std::int64_t handlerId = 0;
  std::string handler;
};

/// A job taken by a dispatcher, with everything needed to run it.
struct ClaimedJob {
  std::int64_t jobId = 0;
  std::int64_t eventId = 0;
  int attempt = 0;
  int maxAttempts = 1;
  Micros createdAt = 0;
  Handler handler;  // the version the job was created for, code included
  std::string ownerName;
  nlohmann::json payload;
  int eventDepth = 0;
  std::int64_t rootEventId = 0;  // of the job's event's chain
  Micros eventAt = 0;            // when the job's event was recorded
  /// A coalesced job's gathered events ([{"event_id", "hook", "payload", "at"}], oldest
  /// first; `payload` is the last one's); null for a job of one event.
  nlohmann::json events;
};

/// Jobs a fire leases in its own transaction, for the firing host's idle workers: they
/// start without a claim transaction (and its commit) between the fire and the run.
struct ClaimRequest {
  std::string owner;
  std::size_t limit = 0;  // 0: claim nothing
  Micros leaseFor = 0;
  std::vector<std::string> leavePlugins;
};

struct FireResult {
  std::int64_t eventId = 0;
  std::vector<FiredJob> jobs;
  bool duplicate = false;  // (hook, key) was fired before: these are the first event's ids
  std::vector<ClaimedJob> claimed;  // what the fire's ClaimRequest leased
};

/// What an array fire recorded: one FireResult per element, in order (an element whose key
/// an earlier one or an earlier fire used is that event, `duplicate`), and what the batch's
/// transaction leased for this host's workers.
struct FiredBatch {
  std::vector<FireResult> events;
  std::vector<ClaimedJob> claimed;
};

/// Whose jobs a read may return: every job (an admin), or the jobs of `userId`'s handlers
/// and of the events `userName` fired.
struct JobReader {
  bool everything = false;
  std::int64_t userId = 0;
  std::string userName;
};

/// Whether a fenced write applied, or found the job moved on (a stale attempt).
enum class CompletionOutcome { Applied, Stale };

struct JobQuery {
  std::optional<JobState> state;
  std::optional<std::int64_t> handlerId;
  std::optional<std::int64_t> eventId;
  std::optional<std::int64_t> ownerId;  // set for non-admins: only their handlers' jobs
  std::optional<std::string> hook;      // jobs of this hook's handlers
  std::optional<Micros> createdSince;   // created at or after
  std::optional<Micros> createdUntil;   // created before
  std::int64_t after = 0;               // cursor: job ids greater than this
  int limit = 100;
};

enum class RescueScope { ExpiredLeases, AllRunning };

enum class Sharing { ThisHostOnly, SharedByHosts };

/// Everything of one chain (an event and what its jobs emitted, recursively), for
/// GET /v1/events/{id}/tree.
struct ChainRecords {
  std::vector<Event> events;  // the root first, then by id
  std::vector<Job> jobs;      // of those events, coalesced ones included
  std::vector<std::pair<std::int64_t, std::int64_t>> gathered;  // (job, event) of coalesced jobs
  bool truncated = false;     // more events than the limit
};

/// A host using the store, as it last reported itself.
struct HostInfo {
  std::string id;
  std::string address;               // where its API listens
  std::vector<std::string> plugins;  // names of the plugins it has loaded
  Micros startedAt = 0;
  Micros heartbeatAt = 0;
};

/// What the reaper did in one pass.
struct RescueCounts {
  int requeued = 0;
  int failed = 0;
  int timedOut = 0;
};

}  // namespace hookhost::storage
