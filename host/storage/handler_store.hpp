#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/job_transitions.hpp"
#include "storage/records.hpp"
#include "storage/repair_records.hpp"

namespace hookhost::storage {

/// Registered handlers and their versions. Every write is durable when the call returns;
/// thread-safe.
class HandlerStore {
 public:
  virtual ~HandlerStore() = default;

  /// Register replaces by (hook, name); only the owner or an admin may replace.
  struct Registration {
    Handler handler;
    bool created = false;
    /// Set when this registration gave the handler its first notification URL: the
    /// "whsec_…" secret its webhooks are signed with, for the answer (shown once).
    std::optional<std::string> newWebhookSecret;
  };
  virtual Result<Registration> registerHandler(const HandlerSpec& spec, const User& actor) = 0;
  virtual std::optional<Handler> getHandler(std::int64_t id) = 0;
  /// Every live handler, or those of the given hooks; never with code.
  virtual std::vector<Handler> listHandlers(const std::vector<std::string>& hooks) = 0;
  /// Deregisters, owner or admin only; in the same transaction each job of the handler not
  /// yet started is moved as `queuedJob` decides (the lifecycle: cancelled).
  /// Every version of the handler, deregistered or not, without code; none: no such handler.
  virtual std::optional<HandlerVersions> listVersions(std::int64_t handlerId) = 0;
  /// One version, with its code.
  virtual std::optional<HandlerVersion> getVersion(std::int64_t handlerId, int version) = 0;
  virtual Status deleteHandler(std::int64_t id, const User& actor, const Decide& queuedJob) = 0;
};

}  // namespace hookhost::storage
