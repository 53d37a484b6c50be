// Hostile handlers, each run in a real bubblewrap sandbox by the pool, which must keep
// serving afterwards.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "sandbox/src/python_executor.hpp"
#include "sandbox_test_support.hpp"

namespace hookhost::sandbox {
namespace {

using dispatch::RunStatus;
using testing::RecordingRunContext;
using testing::pythonRequest;
using namespace std::chrono_literals;

class ContainmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = testing::testOptions();
    options_.cpuSeconds = 2;
    pool_ = testing::makePool(options_);
    ASSERT_TRUE(pool_);
    executor_ = std::make_unique<PythonExecutor>(*pool_, testing::runnerDir());
    ok_ = testing::pickleHandler("def handler(ctx, **kw):\n    return 'still serving'\n");
  }

  // The pool must serve a harmless handler after each attack (a fresh key).
  void expectStillServing() {
    RecordingRunContext context;
    auto outcome = executor_->run(pythonRequest(ok_, "bob", 999), context);
    EXPECT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
    EXPECT_EQ(outcome.result, "still serving");
  }

  dispatch::RunOutcome runSource(const std::string& source, nlohmann::json payload = {},
                                 std::chrono::milliseconds timeout = 20s) {
    RecordingRunContext context;
    if (payload.is_null()) payload = nlohmann::json::object();
    return executor_->run(pythonRequest(testing::pickleHandler(source), "mallory", 66,
                                        std::move(payload), timeout),
                          context);
  }

  SandboxOptions options_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<PythonExecutor> executor_;
  std::string ok_;
};

TEST_F(ContainmentTest, ForkBombIsCappedPerWorkerWhileOthersServe) {
  auto pickle = testing::pickleHandler(R"(
import os, time
def handler(ctx, **kw):
    forks = 0
    try:
        while forks < 100000:
            if os.fork() == 0:
                while True:
                    try:
                        os.fork()
                    except OSError:
                        time.sleep(0.05)
            forks += 1
    except OSError as error:
        ctx.update(forks=forks, error=type(error).__name__)
    time.sleep(60)
)");
  RecordingRunContext context;
  std::promise<nlohmann::json> capped;
  context.onUpdate = [&](const nlohmann::json& data) { capped.set_value(data); };
  auto bomb = std::async(std::launch::async, [&] {
    return executor_->run(pythonRequest(pickle, "mallory", 66, {}, 6s), context);
  });
  auto cappedFuture = capped.get_future();
  ASSERT_EQ(cappedFuture.wait_for(20s), std::future_status::ready);
  auto data = cappedFuture.get();
  EXPECT_EQ(data["error"], "BlockingIOError");
  EXPECT_LT(data["forks"].get<int>(), static_cast<int>(options_.maxProcs));
  // While the bomb's processes hold their whole quota, another worker starts and runs.
  expectStillServing();
  auto outcome = bomb.get();
  EXPECT_EQ(outcome.status, RunStatus::TimedOut) << outcome.error;
  expectStillServing();
}

TEST_F(ContainmentTest, HugeAllocationFailsWithMemoryError) {
  auto outcome = runSource("def handler(ctx, **kw):\n    block = bytearray(64 << 30)\n");
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.error.find("MemoryError"), std::string::npos) << outcome.error;
  expectStillServing();
}

TEST_F(ContainmentTest, CpuSpinIsKilledByTheCpuLimit) {
  auto started = std::chrono::steady_clock::now();
  auto outcome = runSource("def handler(ctx, **kw):\n    while True:\n        pass\n", {}, 30s);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_NE(outcome.error.find("killed by signal SIGXCPU"), std::string::npos) << outcome.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
  expectStillServing();
}

TEST_F(ContainmentTest, SleepPastTheTimeoutTimesOut) {
  auto started = std::chrono::steady_clock::now();
  auto outcome =
      runSource("import time\ndef handler(ctx, **kw):\n    time.sleep(60)\n", {}, 1500ms);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(outcome.status, RunStatus::TimedOut);
  EXPECT_EQ(outcome.error, "handler exceeded its timeout of 1500ms");
  EXPECT_GE(took, 1400ms);
  EXPECT_LT(took, 5s);
  expectStillServing();
}

TEST_F(ContainmentTest, SetsidGrandchildDiesWithTheTimedOutWorker) {
  const std::string marker = "7" + std::to_string(::getpid()) + "3.25";  // a unique sleep
  auto pickle = testing::pickleHandler(R"(
import os, time
def handler(ctx, marker, **kw):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/usr/bin/sleep", ["sleep", marker])
        os._exit(0)
    os.wait()
    ctx.update(spawned=True)
    time.sleep(60)
)");
  RecordingRunContext context;
  bool seenAlive = false;
  context.onUpdate = [&](const nlohmann::json&) {
    // The grandchild execs right after its parent exits; give it a bounded moment.
    for (int i = 0; i < 200 && !seenAlive; ++i) {
      seenAlive = !testing::processesWithMarker(marker).empty();
      if (!seenAlive) std::this_thread::sleep_for(10ms);
    }
  };
  auto outcome = executor_->run(pythonRequest(pickle, "mallory", 66, {{"marker", marker}}, 3s),
                                context);
  EXPECT_EQ(outcome.status, RunStatus::TimedOut) << outcome.error;
  ASSERT_TRUE(seenAlive) << "the setsid grandchild never ran";
  // The namespace's teardown is asynchronous to our reaping of bwrap: bounded wait.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = testing::processesWithMarker(marker).empty();
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "setsid grandchild outlived the worker";
}

TEST_F(ContainmentTest, NoNetworkNotEvenLoopback) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  auto outcome = runSource(R"(
import socket
def handler(ctx, port, **kw):
    results = []
    for host in ("127.0.0.1", "10.0.2.2", "8.8.8.8"):
        try:
            socket.create_connection((host, port), timeout=2).close()
            results.append("connected")
        except OSError as error:
            results.append(type(error).__name__)
    return ",".join(results)
)",
                           {{"port", port}});
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "ConnectionRefusedError,OSError,OSError");
  pollfd watch{listener, POLLIN, 0};
  EXPECT_EQ(::poll(&watch, 1, 0), 0) << "the sandbox reached the host's listener";
  ::close(listener);
}

TEST_F(ContainmentTest, HostSecretsAreInvisible) {
  auto dataDir = testing::scratchDir("host-data");
  {
    std::ofstream secret(dataDir / "hookhost.db");
    secret << "TOP-SECRET-DATA";
  }
  ::setenv("HOOKHOST_TEST_SECRET", "ENV-SECRET-VALUE", 1);
  // A host descriptor without close-on-exec must not leak into the sandbox either.
  int leaky = ::open((dataDir / "hookhost.db").c_str(), O_RDONLY);
  ASSERT_GE(leaky, 0);
  auto outcome = runSource(R"(
import os
def attempt(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError as error:
        return type(error).__name__
def handler(ctx, data_dir, host_pid, **kw):
    seen = {}
    for path in ["/etc/shadow", "/etc/passwd", "/root/x", "/home/x", "/var/x",
                 data_dir + "/hookhost.db",
                 "/proc/1/environ", "/proc/%d/environ" % host_pid, "/etc/ssl/private"]:
        seen[path] = attempt(path)
    seen["env"] = dict(os.environ)
    fds = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds[fd] = os.readlink("/proc/self/fd/" + fd)
            os.lseek(int(fd), 0, 0)
            fds[fd] += " " + os.read(int(fd), 100).decode("utf-8", "replace")
        except OSError:
            pass
    seen["fds"] = fds
    return repr(seen)
)",
                           {{"data_dir", dataDir.string()}, {"host_pid", ::getpid()}});
  ::close(leaky);
  ::unsetenv("HOOKHOST_TEST_SECRET");
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  const std::string& seen = outcome.result;
  EXPECT_EQ(seen.find("TOP-SECRET-DATA"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("ENV-SECRET-VALUE"), std::string::npos) << seen;
  EXPECT_NE(seen.find("'/etc/shadow': 'FileNotFoundError'"), std::string::npos) << seen;
  EXPECT_NE(seen.find("'/etc/passwd': 'FileNotFoundError'"), std::string::npos) << seen;
  EXPECT_NE(seen.find("'/etc/ssl/private': 'FileNotFoundError'"), std::string::npos) << seen;
  EXPECT_NE(seen.find("'" + dataDir.string() + "/hookhost.db': 'FileNotFoundError'"),
            std::string::npos)
      << seen;
  EXPECT_NE(seen.find("'/proc/1/environ': ''"), std::string::npos) << seen;
  for (const char* path : {"/root/x", "/home/x", "/var/x"}) {
    EXPECT_NE(seen.find("'" + std::string(path) + "': 'FileNotFoundError'"), std::string::npos)
        << seen;
  }
  expectStillServing();
}

TEST_F(ContainmentTest, WritesOutsideTmpFail) {
  auto hostMarker = testing::scratchDir("writes") / "written-by-handler";
  auto outcome = runSource(R"(
import os
def handler(ctx, host_path, **kw):
    results = []
    for path in ["/x", "/usr/x", "/etc/x", "/dev/x", host_path, "/tmp/ok"]:
        try:
            with open(path, "w") as f:
                f.write("x")
            results.append("written")
        except OSError as error:
            results.append(type(error).__name__)
    return ",".join(results)
)",
                           {{"host_path", hostMarker.string()}});
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, "OSError,OSError,OSError,OSError,FileNotFoundError,written");
  EXPECT_FALSE(std::filesystem::exists(hostMarker));
}

TEST_F(ContainmentTest, SeccompDeniesPtraceKeyctlAndTiocsti) {
  auto outcome = runSource(R"(
import errno, os, time, fcntl, termios
def call(number, *args):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.syscall(number, *args)
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
def handler(ctx, **kw):
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
    results = {
        "ptrace_attach": call(101, 16, child, 0, 0),
        "process_vm_readv": call(310, child, 0, 0, 0, 0, 0),
        "keyctl": call(250, 0, -3, 0),
        "bpf": call(321, 0, 0, 0),
        "perf_event_open": call(298, 0, 0, -1, -1, 0),
        "mount": call(165, 0, 0, 0, 0, 0),
    }
    try:
        fcntl.ioctl(0, termios.TIOCSTI, b"x")
        results["tiocsti"] = "ok"
    except OSError as error:
        results["tiocsti"] = errno.errorcode[error.errno]
    os.kill(child, 9)
    return repr(sorted(results.items()))
)");
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result,
            "[('bpf', 'EPERM'), ('keyctl', 'EPERM'), ('mount', 'EPERM'), "
            "('perf_event_open', 'EPERM'), ('process_vm_readv', 'EPERM'), "
            "('ptrace_attach', 'EPERM'), ('tiocsti', 'EPERM')]");
}

TEST_F(ContainmentTest, GarbagePickleFailsToLoad) {
  RecordingRunContext context;
  auto outcome = executor_->run(pythonRequest("this is not a pickle", "mallory", 67), context);
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error.rfind("the handler could not be loaded: cannot unpickle the handler: ", 0),
            0u)
      << outcome.error;
  expectStillServing();
}

TEST_F(ContainmentTest, ReduceExploitRunsOnlyInsideTheSandbox) {
  auto hostMarker = testing::scratchDir("reduce") / "pwned";
  const std::string tmpMarker = "/tmp/hookhost-reduce-" + std::to_string(::getpid());
  std::filesystem::remove(tmpMarker);
  // Not a function: a pickle whose unpickling runs a shell command (it tries to write in a
  // host folder and in /tmp) and yields a callable reporting what that command achieved.
  const std::string shell = "id -u > /tmp/uid; touch " + hostMarker.string() + " " + tmpMarker;
  const std::string source = R"(
import pickle, sys
class Exploit:
    def __reduce__(self):
        return (eval, ("(__import__('os').system(" + repr(sys.argv[2]) + "), "
                       "lambda ctx, **kw: open('/tmp/uid').read().strip() + ' ' + "
                       "str(__import__('os').path.exists(" + repr(sys.argv[3]) + ")))[1]",))
open(sys.argv[1], "wb").write(pickle.dumps(Exploit()))
)";
  auto dir = testing::scratchDir("reduce-src");
  {
    std::ofstream script(dir / "make.py");
    script << source;
  }
  std::string command = std::string(HOOKHOST_TEST_PYTHON) + " " + (dir / "make.py").string() +
                        " " + (dir / "p.pkl").string() + " '" + shell + "' " + tmpMarker;
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(dir / "p.pkl", std::ios::binary);
  std::string pickle((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  RecordingRunContext context;
  auto outcome = executor_->run(pythonRequest(pickle, "mallory", 68), context);
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  // It ran, as the unprivileged sandbox user, and its /tmp write stayed in the sandbox.
  EXPECT_EQ(outcome.result, std::to_string(pool_->identity().uid) + " True");
  EXPECT_FALSE(std::filesystem::exists(hostMarker));
  EXPECT_FALSE(std::filesystem::exists(tmpMarker));
}

TEST_F(ContainmentTest, GarbageOnTheProtocolStreamFailsTheJob) {
  auto outcome = runSource(R"(
import os
def handler(ctx, **kw):
    for fd in os.listdir("/proc/self/fd"):
        try:
            os.write(int(fd), b"garbage that is not a frame")
        except OSError:
            pass
    return "wrote garbage"
)");
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error.rfind("worker broke the protocol: ", 0), 0u) << outcome.error;
  expectStillServing();
}

TEST_F(ContainmentTest, CrashReportsTheSignal) {
  auto outcome = runSource("import os\ndef handler(ctx, **kw):\n    os.kill(os.getpid(), 11)\n");
  EXPECT_EQ(outcome.status, RunStatus::Failed);
  EXPECT_EQ(outcome.error.rfind("worker killed by signal SIGSEGV", 0), 0u) << outcome.error;
  auto exited = runSource("import os\ndef handler(ctx, **kw):\n    os._exit(3)\n");
  EXPECT_EQ(exited.status, RunStatus::Failed);
  EXPECT_EQ(exited.error.rfind("worker exited with status 3", 0), 0u) << exited.error;
  expectStillServing();
}

TEST_F(ContainmentTest, OutputOverTheCapKeepsItsLastBytes) {
  auto outcome = runSource(
      "def handler(ctx, **kw):\n    for i in range(100000):\n        print('x' * 100)\n    print('the end')\n");
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  const std::string marker = "[output cut: the first ";
  ASSERT_EQ(outcome.output.rfind(marker, 0), 0u) << outcome.output.substr(0, 200);
  const std::string kept = outcome.output.substr(outcome.output.find('\n') + 1);
  EXPECT_LE(kept.size(), options_.outputCapBytes);
  EXPECT_GT(kept.size(), options_.outputCapBytes - 200);
  const std::string end = "\n" + std::string(100, 'x') + "\nthe end\n";
  EXPECT_EQ(kept.substr(kept.size() - end.size()), end);
  expectStillServing();
}

TEST_F(ContainmentTest, WorkersRunAsTheUnprivilegedUser) {
  auto outcome = runSource(R"(
import os, time
def handler(ctx, **kw):
    return "%d %d %s" % (os.getuid(), os.getgid(), open("/proc/self/status").read().count("CapEff:\t0000000000000000"))
)");
  ASSERT_EQ(outcome.status, RunStatus::Succeeded) << outcome.error;
  EXPECT_EQ(outcome.result, std::to_string(pool_->identity().uid) + " " +
                                std::to_string(pool_->identity().gid) + " 1");
  if (::geteuid() == 0) {
    EXPECT_EQ(pool_->identity().name, "nobody");
    auto workers = pool_->workers();
    // Failed/finished runs recycle; the last successful one is idle now.
    ASSERT_FALSE(workers.empty());
    std::ifstream status("/proc/" + std::to_string(workers.front().pid) + "/status");
    std::string text((std::istreambuf_iterator<char>(status)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("Uid:\t" + std::to_string(pool_->identity().uid)), std::string::npos)
        << text;
  }
}

}  // namespace
}  // namespace hookhost::sandbox
