#include "smtp_sink.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace hookhost::notify::testing {

TempDir::TempDir() {
  char pattern[] = "/tmp/hh-notify-XXXXXX";
  const char* made = ::mkdtemp(pattern);
  if (made == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

SmtpSink::SmtpSink(std::string maildir, std::vector<std::string> flags, std::string logFile)
    : maildir_(std::move(maildir)), logFile_(std::move(logFile)) {
  std::vector<std::string> args = {HOOKHOST_TEST_PYTHON, HOOKHOST_SMTP_SINK, maildir_};
  if (!logFile_.empty()) {
    args.push_back("--log");
    args.push_back(logFile_);
  }
  args.insert(args.end(), flags.begin(), flags.end());

  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  // Built before fork: the child of a threaded process may only call async-signal-safe code.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  stdinFd_ = in[1];

  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd ready{out[0], POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    char buffer[64];
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  port_ = static_cast<std::uint16_t>(std::atoi(line.c_str()));
  if (port_ == 0) ADD_FAILURE() << "the SMTP sink did not start (" << HOOKHOST_SMTP_SINK << ")";
}

SmtpSink::~SmtpSink() { stop(); }

void SmtpSink::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdinFd_ >= 0) ::close(stdinFd_);
  stdinFd_ = -1;
}

std::vector<std::string> SmtpSink::messageFiles() const {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(maildir_, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.empty() && name[0] != '.' && entry.path().extension() == ".eml") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<nlohmann::json> SmtpSink::events() const {
  std::vector<nlohmann::json> events;
  if (logFile_.empty()) return events;
  std::ifstream in(logFile_);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  }
  return events;
}

nlohmann::json parseEml(const std::string& path) {
  std::string command = std::string(HOOKHOST_TEST_PYTHON) + " " + HOOKHOST_PARSE_EML + " '" + path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return nullptr;
  std::string text;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  int status = ::pclose(pipe);
  if (status != 0) {
    ADD_FAILURE() << "parse_eml.py failed on " << path << ": " << text;
    return nullptr;
  }
  return nlohmann::json::parse(text);
}

}  // namespace hookhost::notify::testing
