#include "sandbox/src/python_interpreters.hpp"

#include <algorithm>
#include <regex>
#include <system_error>

#include "sandbox/src/worker_pool.hpp"

namespace hookhost::sandbox {
namespace {

namespace fs = std::filesystem;

// How long one interpreter's probe may take (start, import dill, list distributions).
constexpr std::chrono::seconds kProbeTimeout{30};

// The probe's pool key: no handler has id 0, and "hookhost:probe" is no user name.
PoolKey probeKey(std::size_t index) {
  return PoolKey{Runtime::Python, "hookhost:probe", 0, static_cast<int>(index), {}};
}

// A run context for the probe, which reports nothing but its result.
class ProbeContext : public dispatch::RunContext {
 public:
  void update(const nlohmann::json&) override {}
  void log(const std::string&) override {}
  Status emit(const dispatch::EmittedEvent&) override {
    return makeError(ErrorKind::BadRequest, "not_a_job", "the probe fires no events");
  }
  Result<dispatch::DeferTicket> defer(const nlohmann::json&) override {
    return makeError(ErrorKind::BadRequest, "not_a_job", "the probe defers nothing");
  }
};

// What else of the host an interpreter needs: a virtualenv's root (Python finds pyvenv.cfg
// beside its executable or one folder up) and an installation outside /usr.
std::vector<std::string> bindsFor(const std::string& path) {
  std::vector<std::string> binds;
  std::error_code ec;
  const fs::path bin = fs::path(path).parent_path();
  for (const fs::path& root : {bin, bin.parent_path()}) {
    if (fs::exists(root / "pyvenv.cfg", ec)) {
      binds.push_back(root.string());
      break;
    }
  }
  const fs::path real = fs::weakly_canonical(path, ec);
  if (!ec && real.string().rfind("/usr/", 0) != 0) {
    const std::string prefix = real.parent_path().parent_path().string();
    if (std::find(binds.begin(), binds.end(), prefix) == binds.end() && prefix != "/") binds.push_back(prefix);
  }
  return binds;
}

void probeOne(WorkerPool& pool, const fs::path& runnerDir, std::size_t index, PythonInterpreter& python,
              bool takeVersion) {
  WorkerSpec spec;
  spec.poolKey = probeKey(index);
  spec.argv = {python.path, "-I", "-u", (runnerDir / "hookhost_probe.py").string()};
  spec.extraReadOnlyBinds = {runnerDir.string()};
  spec.extraReadOnlyBinds.insert(spec.extraReadOnlyBinds.end(), python.binds.begin(), python.binds.end());
  spec.loadMessage = {{"type", "load"}};
  ProbeContext context;
  auto outcome = pool.run(spec, {{"type", "run"}}, kProbeTimeout, context);
  pool.retire(spec.poolKey);
  if (outcome.status != dispatch::RunStatus::Succeeded) {
    python.problem = "the probe of " + python.path + " in the sandbox failed: " + outcome.error;
    return;
  }
  auto found = nlohmann::json::parse(outcome.result, nullptr, false);
  if (!found.is_object()) {
    python.problem = "the probe of " + python.path + " answered no description";
    return;
  }
  const std::string version = found.value("version", "");
  python.fullVersion = found.value("full_version", "");
  if (found.contains("dill_version") && found["dill_version"].is_string()) python.dillVersion = found["dill_version"];
  if (found.contains("distributions") && found["distributions"].is_array()) python.distributions = found["distributions"];
  if (takeVersion) {
    python.version = version;
  } else if (version != python.version) {
    python.problem = "sandbox.pythons lists " + python.path + " as Python " + python.version + ", but it is Python " +
                     version;
  }
  if (python.problem.empty() && python.dillVersion.empty()) {
    python.problem = python.path + " has no dill (Debian: python3-dill); it cannot load handlers";
  }
}

}  // namespace

std::string minorVersionOf(const std::string& text) {
  static const std::regex pattern(R"(^(\d+)\.(\d+)(\.\d+.*)?$)");
  std::smatch match;
  if (!std::regex_match(text, match, pattern)) return "";
  return match[1].str() + "." + match[2].str();
}

Result<PythonInterpreters> PythonInterpreters::configure(const std::string& python,
                                                         const std::map<std::string, std::string>& pythons) {
  PythonInterpreters interpreters;
  interpreters.all_ = std::make_shared<std::vector<PythonInterpreter>>();
  interpreters.defaultPath_ = python;
  auto bad = [](const std::string& why) { return makeError(ErrorKind::BadRequest, "bad_config", why); };
  if (pythons.empty()) {
    if (!fs::path(python).is_absolute()) return bad("sandbox.python: must be an absolute path, got '" + python + "'");
    interpreters.versionsProbed_ = true;
    interpreters.all_->push_back(PythonInterpreter{"", python, bindsFor(python)});
    return interpreters;
  }
  for (const auto& [version, path] : pythons) {
    if (minorVersionOf(version) != version) {
      return bad("sandbox.pythons: '" + version + "' is not a Python version such as \"3.11\"");
    }
    if (!fs::path(path).is_absolute()) {
      return bad("sandbox.pythons: the path of " + version + " must be absolute, got '" + path + "'");
    }
    interpreters.all_->push_back(PythonInterpreter{version, path, bindsFor(path)});
  }
  return interpreters;
}

PythonInterpreters::~PythonInterpreters() {
  if (probed_.valid()) probed_.wait();
}

void PythonInterpreters::startProbe(WorkerPool& pool, std::filesystem::path runnerDir) {
  auto all = all_;
  const bool takeVersion = versionsProbed_;
  probed_ = std::async(std::launch::async, [all, &pool, runnerDir, takeVersion] {
              for (std::size_t i = 0; i < all->size(); ++i) probeOne(pool, runnerDir, i, (*all)[i], takeVersion);
            }).share();
}

void PythonInterpreters::waitForProbe() const {
  if (probed_.valid()) probed_.wait();
}

std::string PythonInterpreters::offered() const {
  std::string text;
  for (const auto& python : *all_) {
    if (!python.problem.empty()) continue;
    text += (text.empty() ? "" : ", ") + python.version + " (" + python.path + ")";
  }
  return text.empty() ? "no working Python interpreter" : "Python " + text;
}

Result<PythonInterpreter> PythonInterpreters::find(const std::string& version) const {
  waitForProbe();
  const std::string wanted = version.empty() ? "" : minorVersionOf(version);
  const PythonInterpreter* chosen = nullptr;
  for (const auto& python : *all_) {
    if (!python.problem.empty()) continue;
    if (wanted.empty() ? python.path == defaultPath_ : python.version == wanted) chosen = &python;
  }
  if (!chosen && wanted.empty()) {
    for (const auto& python : *all_) {
      if (python.problem.empty()) chosen = &python;  // the last listed
    }
  }
  if (chosen) return *chosen;
  std::string problems;
  for (const auto& python : *all_) {
    if (!python.problem.empty()) problems += "; " + python.problem;
  }
  const std::string what = wanted.empty() ? "a Python handler" : "a handler pickled with Python " + version;
  return makeError(ErrorKind::Unprocessable, "python_version_unsupported",
                   "this host cannot run " + what + ": it has " + offered() + problems +
                       " (a dill pickle loads only in the Python minor version that made it; see GET /v1/runtimes)");
}

nlohmann::json PythonInterpreters::toJson() const {
  auto fallback = find("");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& python : *all_) {
    nlohmann::json item = {{"runtime", "python"},        {"version", python.version},
                           {"full_version", python.fullVersion}, {"path", python.path},
                           {"default", fallback && fallback->path == python.path}, {"dill_version", python.dillVersion},
                           {"distributions", python.distributions}};
    if (!python.problem.empty()) item["problem"] = python.problem;
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace hookhost::sandbox
