#include "host_process.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

extern char** environ;

namespace hookhost::testing {
namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Runs argv with the given environment, stdout/stderr to files; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
            const std::filesystem::path& out, const std::filesystem::path& err, bool append) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const auto& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
    int outFd = ::open(out.c_str(), flags, 0644);
    int errFd = ::open(err.c_str(), flags, 0644);
    int nullFd = ::open("/dev/null", O_RDONLY);
    ::dup2(nullFd, 0);
    ::dup2(outFd, 1);
    ::dup2(errFd, 2);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "hookhost-test-XXXXXX").string();
  path_ = ::mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

// HOOKHOST_TEST_BINARY runs the suites against another build's host: scripts/test.sh points
// them at the sanitizer build's, so that step need not build the test drivers a second time.
std::filesystem::path hookhostBinary() {
  const char* other = std::getenv("HOOKHOST_TEST_BINARY");
  return other != nullptr && *other != '\0' ? std::filesystem::path(other) : std::filesystem::path(HOOKHOST_BINARY);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

HttpReply httpRequest(int port, const std::string& method, const std::string& path, const std::string& body,
                      const std::string& apiKey, const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!apiKey.empty()) request.set("Authorization", "Bearer " + apiKey);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST") {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpReply reply;
  reply.status = static_cast<int>(response.getStatus());
  reply.contentType = response.getContentType();
  Poco::StreamCopier::copyToString(in, reply.raw);
  reply.body = nlohmann::json::parse(reply.raw, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

HostProcess::HostProcess(std::filesystem::path dataDir, std::map<std::string, std::string> environment)
    : dataDir_(std::move(dataDir)), environment_(std::move(environment)) {}

HostProcess::~HostProcess() {
  if (pid_ > 0) stop(std::chrono::seconds(20));
}

std::vector<std::string> HostProcess::environmentBlock() const {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    auto equals = text.find('=');
    // The test's own HOOKHOST_* settings must not leak into the host under test.
    if (equals != std::string::npos && text.rfind("HOOKHOST_", 0) != 0) merged[text.substr(0, equals)] = text.substr(equals + 1);
  }
  merged["HOOKHOST_HTTP_PORT"] = "0";
  merged["HOOKHOST_DATA_DIR"] = dataDir_.string();
  for (const auto& [name, value] : environment_) merged[name] = value;
  std::vector<std::string> block;
  for (const auto& [name, value] : merged) block.push_back(name + "=" + value);
  return block;
}

bool HostProcess::start(std::chrono::seconds within) {
  std::filesystem::create_directories(dataDir_);
  // Each launch appends to the same logs; the port is read from this launch's line only.
  std::size_t logStart = std::filesystem::exists(dataDir_ / "host.err") ? readFile(dataDir_ / "host.err").size() : 0;
  std::vector<std::string> argv = {binary_.string(), "serve"};
  if (configFile_) argv.insert(argv.end(), {"--config", configFile_->string()});
  pid_ = spawn(argv, environmentBlock(), dataDir_ / "host.out", dataDir_ / "host.err",
               launches_++ > 0);
  if (launches_ == 1) logStart = 0;
  static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string log = readFile(dataDir_ / "host.err");
    std::smatch match;
    std::string fresh = log.size() > logStart ? log.substr(logStart) : std::string();
    if (std::regex_search(fresh, match, listening)) {
      port_ = std::stoi(match[1]);
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool HostProcess::waitForExit(std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

int HostProcess::stop(std::chrono::seconds within) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + within;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return decodeStatus(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return decodeStatus(status);
}

void HostProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string HostProcess::log() const { return readFile(dataDir_ / "host.err"); }
std::string HostProcess::output() const { return readFile(dataDir_ / "host.out"); }

int HostProcess::runCommand(const std::vector<std::string>& arguments, std::string* out, std::string* err) {
  std::filesystem::create_directories(dataDir_);
  std::vector<std::string> argv = {binary_.string()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  if (configFile_) argv.insert(argv.end(), {"--config", configFile_->string()});
  auto outPath = dataDir_ / "command.out";
  auto errPath = dataDir_ / "command.err";
  pid_t pid = spawn(argv, environmentBlock(), outPath, errPath, false);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (out) *out = readFile(outPath);
  if (err) *err = readFile(errPath);
  return decodeStatus(status);
}

std::string HostProcess::addUser(const std::string& name, const std::string& role) {
  std::string out;
  int code = runCommand({"user", "add", name, "--email", name + "@example.com", "--role", role}, &out);
  if (code != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace hookhost::testing
