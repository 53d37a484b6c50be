#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>

namespace hookhost::testing {

RawConnection::RawConnection(int port, const std::string& from) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  ::inet_pton(AF_INET, from.c_str(), &source.sin_addr);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &target.sin_addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

std::string RawConnection::receiveResponse(std::chrono::milliseconds within) {
  std::string got;
  const auto until = std::chrono::steady_clock::now() + within;
  static const std::regex length(R"(\r\ncontent-length:\s*(\d+)\r\n)", std::regex::icase);
  while (fd_ >= 0) {
    auto headEnd = got.find("\r\n\r\n");
    std::smatch match;
    std::string head = headEnd == std::string::npos ? std::string() : got.substr(0, headEnd + 2);
    if (headEnd != std::string::npos && std::regex_search(head, match, length) &&
        got.size() >= headEnd + 4 + std::stoul(match[1])) {
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd readable{fd_, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[16384];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) break;  // closed, or reset (ECONNRESET)
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

RawReply parseRawReply(const std::string& bytes) {
  RawReply reply;
  reply.raw = bytes;
  static const std::regex statusLine(R"(^HTTP/1\.[01] (\d{3}))");
  std::smatch match;
  if (std::regex_search(bytes, match, statusLine)) reply.status = std::stoi(match[1]);
  auto headEnd = bytes.find("\r\n\r\n");
  if (headEnd == std::string::npos) return reply;
  reply.head = bytes.substr(0, headEnd);
  reply.body = nlohmann::json::parse(bytes.substr(headEnd + 4), nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

RawReply rawExchange(int port, const std::string& bytes, std::chrono::milliseconds within) {
  RawConnection connection(port);
  connection.send(bytes);  // a server that answers early may reset the rest: read anyway
  return parseRawReply(connection.receiveResponse(within));
}

long procStatusKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

}  // namespace hookhost::testing
