#include "plugin_worker/output_capture.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <stdexcept>
#include <unistd.h>

namespace hookhost::sandbox {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

void makePipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
}

// Bytes at the end of `text` that start a UTF-8 sequence the chunk cut short.
std::size_t incompleteTail(const std::string& text) {
  std::size_t n = text.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    auto byte = static_cast<unsigned char>(text[n - back]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    std::size_t need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

}  // namespace

OutputCapture::OutputCapture(ProtocolChannel& channel) : channel_(channel) {
  for (int target = 1; target <= 2; ++target) {
    int fds[2];
    makePipe(fds);
    if (::dup2(fds[1], target) < 0) throw std::runtime_error("dup2 failed");
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    streams_[target - 1].readFd = fds[0];
  }
  // stdout on a pipe is block-buffered: line buffering lets each printed line reach the host
  // (and its followers) when it is printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  makePipe(wakeFds_);
  thread_ = std::thread([this] { run(); });
}

OutputCapture::~OutputCapture() {
  char byte = 0;
  [[maybe_unused]] auto put = ::write(wakeFds_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
  flush();
  for (int fd : {streams_[0].readFd, streams_[1].readFd, wakeFds_[0], wakeFds_[1]}) ::close(fd);
}

void OutputCapture::flush() {
  std::fflush(nullptr);
  std::cout.flush();
  std::cerr.flush();
  drain();
}

void OutputCapture::drain() {
  std::lock_guard lock(drainMutex_);
  for (auto& stream : streams_) drainLocked(stream);
}

void OutputCapture::drainLocked(Stream& stream) {
  char buffer[kChunk];
  for (;;) {
    ssize_t got = ::read(stream.readFd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;  // EAGAIN: nothing more for now
    std::string text = std::move(stream.carry);
    text.append(buffer, static_cast<std::size_t>(got));
    std::size_t tail = incompleteTail(text);
    stream.carry = text.substr(text.size() - tail);
    text.resize(text.size() - tail);
    if (!text.empty()) channel_.send({{"type", "output"}, {"stream", stream.name}, {"text", text}});
  }
}

void OutputCapture::run() {
  pollfd fds[3] = {{streams_[0].readFd, POLLIN, 0}, {streams_[1].readFd, POLLIN, 0}, {wakeFds_[0], POLLIN, 0}};
  for (;;) {
    int ready = ::poll(fds, 3, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || (fds[2].revents & POLLIN)) return;
    drain();
  }
}

}  // namespace hookhost::sandbox
