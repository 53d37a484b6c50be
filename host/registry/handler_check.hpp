#pragma once

#include <functional>
#include <memory>

#include "common/result.hpp"
#include "storage/records.hpp"

namespace hookhost::registry {

/// What a passed registration check keeps until the handler is stored (e.g. the warm worker
/// that loaded a python handler's pickle). Destroyed without registered(): discarded.
class CheckedHandler {
 public:
  virtual ~CheckedHandler() = default;
  /// The handler was stored as `handler` (its id and new version).
  virtual void registered(const storage::Handler& handler) = 0;
};

/// Checks a parsed registration before it is stored and may complete it (a python handler's
/// interpreter version). An error refuses the registration; a null result keeps nothing.
using HandlerCheck = std::function<Result<std::unique_ptr<CheckedHandler>>(storage::HandlerSpec& spec)>;

}  // namespace hookhost::registry
