#include "smtp_sink_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>

namespace hookhost::testing {

SmtpSinkProcess::SmtpSinkProcess(const std::string& maildir, const std::vector<std::string>& flags) {
  std::error_code ec;
  std::filesystem::create_directories(maildir, ec);
  std::vector<std::string> args = {HOOKHOST_TEST_PYTHON, HOOKHOST_SMTP_SINK, maildir};
  args.insert(args.end(), flags.begin(), flags.end());
  // Built before fork: the child of a threaded process may only call async-signal-safe code.
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return;
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid_ < 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return;
  }
  ::close(in[0]);
  ::close(out[1]);
  stdinFd_ = in[1];

  // The sink prints its port once it listens; a sink that dies closes the pipe (read 0).
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
}

SmtpSinkProcess::~SmtpSinkProcess() { stop(); }

void SmtpSinkProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ::close(stdinFd_);
  stdinFd_ = -1;
}

}  // namespace hookhost::testing
