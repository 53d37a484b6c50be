#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/runtime.hpp"
#include "jobs/transition.hpp"
#include "storage/dispatch_records.hpp"

namespace hookhost::storage {

/// Which attempt of which job a transition is for: the fence of every write.
struct JobKey {
  std::int64_t id = 0;
  int attempt = 0;
};

/// What a transition writes besides the table's decision: an attempt's output, its
/// emitted events (kept only when the transition keeps them), its callback token.
struct TransitionWrite {
  jobs::Transition transition;
  std::optional<std::string> output;
  std::optional<std::string> tokenHash;
  std::vector<NewEvent> emitted;
};

/// Given the job as the store holds it (read in the write transaction, locked), what the
/// table makes of the trigger at hand. Runs on the store's writer thread: pure and quick.
using Decide = std::function<jobs::Decision(const jobs::JobFacts&)>;

/// What the table makes of a due coalescing window: `closedBy` names the rule that closed
/// it (quiet_s, max_wait_s), `window` what it waited for.
using CloseWindow =
    std::function<jobs::Decision(const jobs::JobFacts&, const std::string& closedBy, const nlohmann::json& window)>;

/// A running job whose lease ran out, as the rescuer is shown it.
struct LostAttempt {
  jobs::JobFacts facts;  // lostLeasesInARow counted from the job's history
  std::string leaseOwner;
  Runtime runtime = Runtime::Python;
  std::string plugin;  // "<plugin>/<handler>" for the plugin runtime
};

/// What the rescuer makes of each job it finds: a lost attempt, a waiting job past its
/// deadline.
struct RescueRules {
  std::function<jobs::Decision(const LostAttempt&)> leaseLost;
  Decide deadlinePassed;
};

}  // namespace hookhost::storage
