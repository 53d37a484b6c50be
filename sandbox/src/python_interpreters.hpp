#pragma once

#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace hookhost::sandbox {

class WorkerPool;

/// One interpreter Python handlers may run in, and what the sandbox found in it.
struct PythonInterpreter {
  std::string version;  // "3.11": as configured in sandbox.pythons, else as probed
  std::string path;     // the interpreter as configured (a venv's bin/python stays that path)
  /// Host folders the interpreter needs besides /usr, bound read-only into its sandboxes: a
  /// virtualenv's root (the folder with pyvenv.cfg), an installation outside /usr.
  std::vector<std::string> binds;
  // Filled by the probe, which runs in the sandbox (what a handler sees, not the host):
  std::string fullVersion;  // "3.11.2"
  std::string dillVersion;
  nlohmann::json distributions = nlohmann::json::array();  // [{"name", "version"}]
  std::string problem;  // why this interpreter cannot run handlers; empty when it can
};

/// "3.11" of "3.11", "3.11.2" or "3.11.2+"; empty when `text` is not a version.
std::string minorVersionOf(const std::string& text);

/// The interpreters of `sandbox.python` and `sandbox.pythons`, each probed once in the
/// sandbox (in the background from startProbe(); lookups wait for it). Thread-safe once
/// startProbe() returned.
class PythonInterpreters {
 public:
  /// `pythons` maps versions to paths (sandbox.pythons); empty: `python` alone, its version
  /// probed. Errors: BadRequest for a key that is not a version or a path that is not absolute.
  static Result<PythonInterpreters> configure(const std::string& python,
                                              const std::map<std::string, std::string>& pythons);

  PythonInterpreters(PythonInterpreters&&) = default;
  PythonInterpreters& operator=(PythonInterpreters&&) = default;
  ~PythonInterpreters();

  /// Probes each interpreter in a sandboxed worker of `pool` (which must outlive this),
  /// in a background thread; an interpreter that fails its probe gets a problem.
  void startProbe(WorkerPool& pool, std::filesystem::path runnerDir);

  /// The interpreter for handlers pickled with `version` ("" = the default: the one of
  /// sandbox.python, else the newest). Errors: Unprocessable "python_version_unsupported"
  /// naming the versions this host has.
  Result<PythonInterpreter> find(const std::string& version) const;

  /// For GET /v1/runtimes: [{"runtime": "python", "version", "full_version", "path",
  /// "default", "dill_version", "distributions", "problem"?}].
  nlohmann::json toJson() const;

 private:
  PythonInterpreters() = default;
  void waitForProbe() const;
  std::string offered() const;

  // Shared with the probe's thread, which fills in the probe results before probed_ is ready.
  std::shared_ptr<std::vector<PythonInterpreter>> all_;
  std::string defaultPath_;
  bool versionsProbed_ = false;  // true when the version came from the probe (no sandbox.pythons)
  std::shared_future<void> probed_;
};

}  // namespace hookhost::sandbox
