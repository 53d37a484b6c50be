#include "sandbox_test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sandbox/src/worker_protocol.hpp"

namespace hookhost::sandbox::testing {

std::filesystem::path scratchDir(const std::string& name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::path(HOOKHOST_TEST_SCRATCH) /
             (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string pickleHandler(const std::string& source) {
  auto dir = scratchDir("pickle");
  {
    std::ofstream script(dir / "handler.py");
    script << source << "\n\n"
           << "import dill, sys\n"
           << "with open(sys.argv[1], 'wb') as out:\n"
           << "    out.write(dill.dumps(handler, recurse=True))\n";
  }
  std::string command = std::string(HOOKHOST_TEST_PYTHON) + " " + (dir / "handler.py").string() +
                        " " + (dir / "handler.pkl").string() + " 2>&1";
  std::string diagnostics;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) diagnostics += buffer;
    if (::pclose(pipe) != 0) {
      ADD_FAILURE() << "pickling failed: " << diagnostics;
      return "";
    }
  }
  std::ifstream in(dir / "handler.pkl", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::filesystem::remove_all(dir);
  return bytes.str();
}

SandboxOptions testOptions() {
  SandboxOptions options;
  options.python = HOOKHOST_TEST_PYTHON;
  options.memoryMb = 512;
  options.cpuSeconds = 5;
  options.maxProcs = 32;
  options.maxWorkers = 6;
  options.maxWorkersPerKey = 2;
  options.outputCapBytes = 64 * 1024;
  options.idleTimeout = std::chrono::seconds(60);
  return options;
}

dispatch::RunRequest pythonRequest(const std::string& pickle, const std::string& user,
                                   std::int64_t handlerId, nlohmann::json payload,
                                   std::chrono::milliseconds timeout) {
  static std::atomic<std::int64_t> jobs{100};
  dispatch::RunRequest request;
  request.jobId = jobs++;
  request.eventId = 7;
  request.handlerId = handlerId;
  request.handlerVersion = 1;
  request.attempt = 1;
  request.handlerName = "test-handler";
  request.hook = "ctingress.on_complete";
  request.user = user;
  request.runtime = Runtime::Python;
  request.codeBase64 = sandbox::base64Encode(pickle);
  request.payload = std::move(payload);
  request.timeout = timeout;
  return request;
}

nlohmann::json seedPayload() {
  nlohmann::json stream = {{"EndNs", 1591844539983333333LL},
                           {"ProcessedAtNs", 0},
                           {"StartNs", 1591844350000000000LL},
                           {"Uuid", "585cc764-3c80-5d3f-a7d7-59d48abbab0b"}};
  return {{"DataSets",
           {{{"Error", ""},
             {"Name", "/DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg"},
             {"Streams", {stream}},
             {"Success", true}},
            {{"Error", "cfg format error"},
             {"Name", "/__MACOSX/DFR 2/._200610,230000000,-4t,R108-North Anna #1,APP601,"
                      "Dominion,M1094.cfg"},
             {"Streams", nullptr},
             {"Success", false}}}},
          {"File", "comtrade_samples.zip"},
          {"RequestID", "0bbcacdb-e7aa-4e01-af88-9ba865ea32bd"},
          {"SubmittedAt", "2020-10-29T21:58:15.09246084Z"}};
}

std::vector<int> processesWithMarker(const std::string& marker) {
  std::vector<int> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (text.find(marker) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

std::unique_ptr<WorkerPool> makePool(SandboxOptions options) {
  auto pool = WorkerPool::create(std::move(options));
  if (!pool) {
    ADD_FAILURE() << "cannot create the pool: " << pool.error().message;
    return nullptr;
  }
  return std::move(*pool);
}

std::filesystem::path runnerDir() { return HOOKHOST_TEST_RUNNER_DIR; }

}  // namespace hookhost::sandbox::testing
