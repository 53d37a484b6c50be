#pragma once

#include <string>

#include "dispatch/executor.hpp"
#include "plugins/call_scope.hpp"

namespace hookhost::plugins {

/// A handle call's scope for in-process plugins: forwards log, update, emit and defer to the
/// dispatcher's RunContext. Lives on the stack of one run().
class RunContextScope : public CallScope {
 public:
  RunContextScope(dispatch::RunContext& context, nlohmann::json pluginConfig,
                  nlohmann::json handlerConfig);

  void log(int32_t level, const std::string& line) override;
  Status update(const nlohmann::json& data) override;
  Status emit(const dispatch::EmittedEvent& event) override;
  Result<dispatch::DeferTicket> defer(const nlohmann::json& data) override;

 private:
  dispatch::RunContext& context_;
};

}  // namespace hookhost::plugins
