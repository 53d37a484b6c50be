#include "sandbox/src/sandbox_options.hpp"

#include <pwd.h>
#include <unistd.h>

#include <limits>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace hookhost::sandbox {
namespace {

Error badKey(const std::string& key, const std::string& why) {
  return makeError(ErrorKind::BadRequest, "bad_config", "sandbox." + key + ": " + why);
}

template <typename T>
Status readPositive(const nlohmann::json& section, const char* key, T& into) {
  if (!section.contains(key)) return Ok{};
  const auto& value = section.at(key);
  if (!value.is_number_integer() || value.get<long long>() <= 0) {
    return badKey(key, "must be a positive integer");
  }
  // Larger would wrap around in the narrower field, to 0 or a small number.
  if (static_cast<unsigned long long>(value.get<long long>()) > std::numeric_limits<T>::max()) {
    return badKey(key, "must be at most " + std::to_string(std::numeric_limits<T>::max()));
  }
  into = static_cast<T>(value.get<long long>());
  return Ok{};
}

Status readString(const nlohmann::json& section, const char* key, std::string& into) {
  if (!section.contains(key)) return Ok{};
  const auto& value = section.at(key);
  if (!value.is_string()) return badKey(key, "must be a string");
  into = value.get<std::string>();
  return Ok{};
}

Status readSeconds(const nlohmann::json& section, const char* key,
                   std::chrono::milliseconds& into) {
  if (!section.contains(key)) return Ok{};
  const auto& value = section.at(key);
  if (value.is_number() && value.get<double>() > 0) {
    into = std::chrono::milliseconds(static_cast<long long>(value.get<double>() * 1000));
    return Ok{};
  }
  if (value.is_string()) {
    if (auto parsed = parseDuration(value.get<std::string>()); parsed && parsed->count() > 0) {
      into = *parsed;
      return Ok{};
    }
  }
  return badKey(key, "must be a positive number of seconds or a duration such as \"30s\"");
}

}  // namespace

Result<SandboxOptions> sandboxOptionsFromJson(const nlohmann::json& section) {
  SandboxOptions options;
  if (section.is_null()) return options;
  if (!section.is_object()) {
    return makeError(ErrorKind::BadRequest, "bad_config", "sandbox: must be an object");
  }
  if (section.contains("network")) {
    if (!section.at("network").is_boolean()) return badKey("network", "must be true or false");
    options.network =
        section.at("network").get<bool>() ? NetworkAccess::Allowed : NetworkAccess::Denied;
  }
  std::vector<Status> checks = {
      readString(section, "python", options.python),
      readString(section, "user", options.user),
      readString(section, "bwrap", options.bwrap),
      readPositive(section, "memory_mb", options.memoryMb),
      readPositive(section, "cpu_s", options.cpuSeconds),
      readPositive(section, "max_procs", options.maxProcs),
      readPositive(section, "max_file_mb", options.maxFileMb),
      readPositive(section, "max_open_files", options.maxOpenFiles),
      readPositive(section, "tmp_mb", options.tmpMb),
      readPositive(section, "output_cap_bytes", options.outputCapBytes),
      readPositive(section, "output_max_bytes", options.outputCapBytes),  // the config key; wins
      readPositive(section, "max_frame_bytes", options.maxFrameBytes),
      readSeconds(section, "default_timeout_s", options.defaultTimeout),
      readSeconds(section, "idle_timeout_s", options.idleTimeout),
      readPositive(section, "max_workers", options.maxWorkers),
      readPositive(section, "max_workers_per_key", options.maxWorkersPerKey),
      readPositive(section, "recycle_after_runs", options.recycleAfterRuns),
  };
  for (auto& check : checks) {
    if (!check) return check.error();
  }
  return options;
}

Result<SandboxIdentity> resolveSandboxIdentity(const SandboxOptions& options) {
  const bool hostIsRoot = ::geteuid() == 0;
  std::string name = options.user;
  if (name.empty()) {
    if (hostIsRoot) {
      name = "nobody";
    } else {
      // Workers of an unprivileged host run as the host's own user, still inside bwrap.
      SandboxIdentity self{static_cast<unsigned>(::geteuid()),
                           static_cast<unsigned>(::getegid()), "", false};
      if (const passwd* entry = ::getpwuid(::geteuid())) self.name = entry->pw_name;
      return self;
    }
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return makeError(ErrorKind::NotFound, "unknown_user",
                     "sandbox.user: no such user '" + name + "'");
  }
  SandboxIdentity identity{static_cast<unsigned>(found->pw_uid),
                           static_cast<unsigned>(found->pw_gid), name, hostIsRoot};
  if (hostIsRoot && identity.uid == 0) {
    return makeError(ErrorKind::BadRequest, "bad_config",
                     "sandbox.user: workers must not run as root");
  }
  if (!hostIsRoot && identity.uid != ::geteuid()) {
    return makeError(ErrorKind::BadRequest, "bad_config",
                     "sandbox.user: a host that is not root can only run workers as itself");
  }
  return identity;
}

}  // namespace hookhost::sandbox
