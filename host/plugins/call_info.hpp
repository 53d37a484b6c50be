#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dispatch/executor.hpp"
#include "hookhost/plugin_abi.h"

namespace hookhost::plugins {

/// An hh_call_v1 together with the strings it points into. Not copyable: abi() points at
/// this object's own members.
class CallInfo {
 public:
  /// From a dispatcher request (in-process runs).
  CallInfo(const dispatch::RunRequest& request, std::string pluginHandler);
  /// From the worker protocol's "run" message: its "job" object and optional "config".
  CallInfo(const nlohmann::json& job, const nlohmann::json& config, std::string pluginHandler);
  CallInfo(const CallInfo&) = delete;
  CallInfo& operator=(const CallInfo&) = delete;

  const hh_call_v1& abi() const { return call_; }

 private:
  void point();

  std::string handler_;
  std::string registeredName_;
  std::string hook_;
  std::string user_;
  std::string config_;
  std::string eventAt_;
  std::string events_;  // empty: a job of one event (events_json NULL)
  hh_call_v1 call_{};
};

}  // namespace hookhost::plugins
