// Python handlers that fail at registration, not when the hook fires (issue 20): interpreter
// matching, the load check in the sandbox, the warm worker it leaves, /v1/runtimes, and the
// operator's environment (a venv as the interpreter), against the real server.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <regex>

#include "host_fixture.hpp"
#include "notify_host_fixture.hpp"

namespace hookhost::testing {
namespace {

namespace fs = std::filesystem;

// The interpreter the host's sandbox uses by default (Debian's, with python3-dill).
constexpr const char* kPython = "/usr/bin/python3";

nlohmann::json pythonBody(const std::string& name, const std::string& code) {
  return {{"name", name},          {"hook", "ctingress.on_complete"}, {"notify_on_success", ""},
          {"notify_on_failure", ""}, {"tags", {"demo"}},                {"runtime", "python"},
          {"code", code}};
}

std::int64_t workersStarted(HostProcess& host) {
  auto reply = host.get("/metrics", "");
  std::smatch match;
  static const std::regex line(R"(hookhost_sandbox_workers_started_total (\d+))");
  if (!std::regex_search(reply.raw, match, line)) {
    ADD_FAILURE() << "no hookhost_sandbox_workers_started_total in /metrics:\n" << reply.raw;
    return -1;
  }
  return std::stoll(match[1].str());
}

std::string errorMessage(const HttpReply& reply) { return reply.body["error"].value("message", ""); }

class PythonLoadCheck : public HostTest {};

TEST_F(PythonLoadCheck, APickleOfAnotherPythonIsRefusedNamingWhatTheHostHas) {
  auto body = pythonHandler("from-the-future");
  body["python_version"] = "3.7";
  auto refused = host_->request("POST", "/v1/handlers", body, userKey_);
  ASSERT_EQ(refused.status, 422) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "python_version_unsupported");
  EXPECT_NE(errorMessage(refused).find("Python 3.7"), std::string::npos) << refused.raw;
  EXPECT_NE(errorMessage(refused).find("3.11 (/usr/bin/python3)"), std::string::npos) << refused.raw;
  body["python_version"] = "three";
  EXPECT_EQ(host_->request("POST", "/v1/handlers", body, userKey_).body["error"]["code"], "invalid_python_version");
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
}

TEST_F(PythonLoadCheck, AHandlerImportingANotebookModuleTheSandboxLacksIsRefusedWithItsTraceback) {
  // dill pickles a function of an importable module by reference: the sandbox must import
  // `nbhelpers`, which exists only beside the notebook.
  std::ofstream(dir_.path() / "nbhelpers.py") << "def double(n):\n    return 2 * n\n";
  std::string code = handlerPickle(dir_.path(), "import nbhelpers\n", "nbhelpers.double");
  auto refused = host_->request("POST", "/v1/handlers", pythonBody("uses-helpers", code), userKey_);
  ASSERT_EQ(refused.status, 422) << refused.raw;
  EXPECT_EQ(refused.body["error"]["code"], "handler_load_failed");
  const std::string message = errorMessage(refused);
  EXPECT_NE(message.find("ModuleNotFoundError: No module named 'nbhelpers'"), std::string::npos) << message;
  EXPECT_NE(message.find("Traceback (most recent call last)"), std::string::npos) << message;
  EXPECT_NE(message.find("GET /v1/runtimes"), std::string::npos) << message;
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
}

TEST_F(PythonLoadCheck, APickleThatIsNoCallableOrNoPickleIsRefused) {
  auto number = host_->request("POST", "/v1/handlers", pythonBody("a-number", handlerPickle(dir_.path(), "", "42")),
                               userKey_);
  ASSERT_EQ(number.status, 422) << number.raw;
  EXPECT_EQ(number.body["error"]["code"], "handler_load_failed");
  EXPECT_NE(errorMessage(number).find("the pickle holds a int, not a callable"), std::string::npos) << number.raw;

  auto corrupt = host_->request("POST", "/v1/handlers", pythonBody("corrupt", "gASVAAAAAAAAAAA="), userKey_);
  ASSERT_EQ(corrupt.status, 422) << corrupt.raw;
  EXPECT_NE(errorMessage(corrupt).find("cannot unpickle the handler"), std::string::npos) << corrupt.raw;
  EXPECT_TRUE(host_->get("/v1/handlers", userKey_).body.empty());
}

TEST_F(PythonLoadCheck, AHandlerThatLoadsIsCreatedAndItsFirstRunFindsAWarmWorker) {
  std::string code = handlerPickle(dir_.path(), "def ok(ctx, **payload):\n    return 'warm %s' % ctx.hook\n", "ok");
  const auto before = workersStarted(*host_);
  auto body = pythonBody("warm", code);
  body["python_version"] = "3.11.2";
  body["dill_version"] = "0.3.6";
  auto created = host_->request("POST", "/v1/handlers", body, userKey_);
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["python_version"], "3.11");
  // The check started one worker, which loaded the pickle ...
  EXPECT_EQ(workersStarted(*host_), before + 1);

  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}, {"tags", {"demo"}}};
  auto fired = host_->request("POST", "/v1/events?wait=30", fire, publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  ASSERT_EQ(fired.body["jobs"].size(), 1u) << fired.raw;
  auto job = host_->get("/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>()), adminKey_);
  EXPECT_EQ(job.body["state"], "SUCCEEDED") << job.raw;
  EXPECT_EQ(job.body["result"], "warm ctingress.on_complete") << job.raw;
  // ... and the first run used it: no cold start.
  EXPECT_EQ(workersStarted(*host_), before + 1);
}

TEST_F(PythonLoadCheck, TheCheckRunsOnlyInTheSandbox) {
  // Unpickling calls eval, which writes a file: in the sandbox's private /tmp at most.
  const fs::path escaped = dir_.path() / "escaped" / "marker";
  std::string source =
      "class Escape:\n"
      "    def __reduce__(self):\n"
      "        return (eval, (\"__import__('os').makedirs('" + escaped.parent_path().string() +
      "', exist_ok=True) or open('" + escaped.string() + "', 'w').write('x') and (lambda ctx, **kw: 'out')\",))\n";
  std::string code = handlerPickle(dir_.path(), source, "Escape()");
  ASSERT_FALSE(code.empty());
  auto reply = host_->request("POST", "/v1/handlers", pythonBody("escape", code), userKey_);
  EXPECT_TRUE(reply.status == 201 || reply.status == 422) << reply.raw;
  EXPECT_FALSE(fs::exists(escaped)) << "the load check ran the pickle outside the sandbox";
  EXPECT_FALSE(fs::exists(escaped.parent_path()));
}

TEST_F(PythonLoadCheck, RuntimesListTheSandboxPythonAndWhatItCanImport) {
  auto listed = host_->get("/v1/runtimes", userKey_);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body.size(), 1u) << listed.raw;
  const auto& python = listed.body[0];
  EXPECT_EQ(python["version"], "3.11");
  EXPECT_EQ(python["path"], kPython);
  EXPECT_EQ(python["default"], true);
  EXPECT_FALSE(python["dill_version"].get<std::string>().empty());
  bool hasDill = false, hasNumpy = false;
  for (const auto& dist : python["distributions"]) {
    hasDill |= dist["name"] == "dill";
    hasNumpy |= dist["name"] == "numpy";
  }
  EXPECT_TRUE(hasDill) << listed.raw;
  // Listed from inside the sandbox: numpy exactly when Debian's python3-numpy is installed.
  EXPECT_EQ(hasNumpy, std::system((std::string(kPython) + " -c 'import numpy' 2>/dev/null").c_str()) == 0);
  EXPECT_EQ(host_->get("/v1/runtimes", "").status, 401);
}

TEST_F(PythonLoadCheck, AHandlerImportingNumpyRunsWhereTheEnvironmentHasIt) {
  if (std::system((std::string(kPython) + " -c 'import numpy' 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "python3-numpy is not installed (scripts install it for the test run)";
  }
  std::string code = handlerPickle(dir_.path(),
                                   "def total(ctx, DataSets, **kw):\n"
                                   "    import numpy\n"
                                   "    return str(int(numpy.array([len(d['Name']) for d in DataSets]).sum()))\n",
                                   "total");
  ASSERT_EQ(host_->request("POST", "/v1/handlers", pythonBody("numeric", code), userKey_).status, 201);
  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}, {"tags", {"demo"}}};
  auto fired = host_->request("POST", "/v1/events?wait=30", fire, publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  auto job = host_->get("/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>()), adminKey_);
  EXPECT_EQ(job.body["state"], "SUCCEEDED") << job.raw;
}

TEST_F(PythonLoadCheck, AModuleMissingAtCallTimeFailsTheRunNamingItAndPointingAtRuntimes) {
  std::string code = handlerPickle(dir_.path(),
                                   "def late(ctx, **kw):\n    import no_such_module_here\n    return 'never'\n", "late");
  ASSERT_EQ(host_->request("POST", "/v1/handlers", pythonBody("late-import", code), userKey_).status, 201);
  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}, {"tags", {"demo"}}};
  auto fired = host_->request("POST", "/v1/events?wait=30", fire, publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  auto job = host_->get("/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>()), adminKey_);
  EXPECT_EQ(job.body["state"], "FAILED") << job.raw;
  const std::string error = job.body.value("error", "");
  EXPECT_NE(error.find("No module named 'no_such_module_here'"), std::string::npos) << error;
  EXPECT_NE(error.find("GET /v1/runtimes"), std::string::npos) << error;
}

// sandbox.pythons with two entries. The machine has one Python minor version, so the second
// entry is a wrapper script claiming 3.12 that execs the same 3.11: the probe finds it out.
class TwoPythons : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override {
    fs::path wrapper = dir_.path() / "python3.12";
    std::ofstream(wrapper) << "#!/bin/sh\nexec /usr/bin/python3.11 \"$@\"\n";
    fs::permissions(wrapper, fs::perms(0755));
    fs::permissions(dir_.path(), fs::perms(0755));  // the sandbox user runs the wrapper
    return {{"HOOKHOST_SANDBOX_PYTHONS", "3.11=/usr/bin/python3.11,3.12=" + wrapper.string()}};
  }
};

TEST_F(TwoPythons, EachVersionGetsItsInterpreterAndAMislabelledOneIsNamed) {
  auto listed = host_->get("/v1/runtimes", userKey_);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body.size(), 2u) << listed.raw;
  EXPECT_EQ(listed.body[0]["path"], "/usr/bin/python3.11");
  EXPECT_FALSE(listed.body[0].contains("problem")) << listed.raw;
  EXPECT_NE(listed.body[1].value("problem", "").find("but it is Python 3.11"), std::string::npos) << listed.raw;

  auto body = pythonHandler("on-312");
  body["python_version"] = "3.12";
  auto refused = host_->request("POST", "/v1/handlers", body, userKey_);
  ASSERT_EQ(refused.status, 422) << refused.raw;
  EXPECT_NE(errorMessage(refused).find("3.11 (/usr/bin/python3.11)"), std::string::npos) << refused.raw;
  EXPECT_NE(errorMessage(refused).find("but it is Python 3.11"), std::string::npos) << refused.raw;
  body["python_version"] = "3.11";
  EXPECT_EQ(host_->request("POST", "/v1/handlers", body, userKey_).status, 201);
}

// The operator gives handlers an environment: a venv (with the system's packages) as
// sandbox.python; the sandbox binds it read-only and handlers run inside it.
class VenvPython : public HostTest {
 protected:
  std::map<std::string, std::string> environment() override {
    fs::permissions(dir_.path(), fs::perms(0755));
    venv_ = dir_.path() / "env";
    const std::string make = std::string(kPython) + " -m venv --without-pip --system-site-packages '" + venv_.string() + "'";
    EXPECT_EQ(std::system(make.c_str()), 0) << make;
    std::ofstream(venv_ / "lib" / "python3.11" / "site-packages" / "operator_tools.py") << "GREETING = 'from the venv'\n";
    return {{"HOOKHOST_SANDBOX_PYTHON", (venv_ / "bin" / "python3").string()}};
  }
  fs::path venv_;
};

TEST_F(VenvPython, HandlersRunInTheVenvAndSeeItsPackages) {
  auto listed = host_->get("/v1/runtimes", userKey_);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body.size(), 1u) << listed.raw;
  EXPECT_FALSE(listed.body[0].contains("problem")) << listed.raw;
  EXPECT_EQ(listed.body[0]["version"], "3.11");
  std::string code = handlerPickle(dir_.path(),
                                   "def where(ctx, **kw):\n"
                                   "    import sys, operator_tools\n"
                                   "    return sys.prefix + ' ' + operator_tools.GREETING\n",
                                   "where");
  ASSERT_EQ(host_->request("POST", "/v1/handlers", pythonBody("in-venv", code), userKey_).status, 201);
  nlohmann::json fire = {{"hook", "ctingress.on_complete"}, {"payload", seedPayload()}, {"tags", {"demo"}}};
  auto fired = host_->request("POST", "/v1/events?wait=30", fire, publisherKey_);
  ASSERT_EQ(fired.status, 202) << fired.raw;
  auto job = host_->get("/v1/jobs/" + std::to_string(fired.body["jobs"][0]["job_id"].get<std::int64_t>()), adminKey_);
  EXPECT_EQ(job.body["state"], "SUCCEEDED") << job.raw;
  EXPECT_EQ(job.body["result"], venv_.string() + " from the venv") << job.raw;
}

}  // namespace
}  // namespace hookhost::testing
