// hh-loadgen: sends N HTTP/1.1 requests over C keep-alive connections to one loopback URL and
// prints one JSON line with the timings. With --port given more than once (several hosts
// sharing one store), request i goes to the i-th port modulo their number, so the load splits
// evenly; each connection then keeps one socket per port, and at most C requests are in flight. Written in C++ (blocking sockets, one thread per
// connection) so that on a 2-core machine the generator costs far less CPU than the server
// it measures; the bench reports its CPU time next to the figures to show it.
//
//   hh-loadgen --port P [--port P2]... --path /v1/events --body-file F [--header 'K: V']... [--method POST]
//              [--requests N] [--connections C] [--expect SUBSTRING] [--timeout-s S]
//
// Every loop is bounded: N requests at most, and each socket read or write gives up after
// --timeout-s seconds (a hung server ends the run with io errors, not a hang).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::vector<int> ports;
  std::string method = "POST";
  std::string path = "/";
  std::string body;
  std::vector<std::string> headers;
  long requests = 1;
  int connections = 1;
  std::string expect;
  int timeoutSeconds = 60;
};

struct Outcome {
  long latencyMicros = 0;
  int status = 0;  // 0 = connection error
  bool expected = true;
};

double monotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double realtimeSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int connectLoopback(const Options& options, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{options.timeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool sendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one response (Content-Length or chunked body). `buffer` keeps bytes past it.
bool readResponse(int fd, std::string& buffer, int& status, std::string& body, bool& keepAlive) {
  auto fill = [&]() {
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t headerEnd;
  while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > (1 << 20) || !fill()) return false;
  }
  std::string head = buffer.substr(0, headerEnd);
  buffer.erase(0, headerEnd + 4);
  if (head.size() < 12) return false;
  status = std::atoi(head.c_str() + 9);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  keepAlive = lower.find("connection: close") == std::string::npos;
  body.clear();
  if (auto at = lower.find("content-length:"); at != std::string::npos) {
    std::size_t length = std::strtoul(lower.c_str() + at + 15, nullptr, 10);
    while (buffer.size() < length) {
      if (!fill()) return false;
    }
    body = buffer.substr(0, length);
    buffer.erase(0, length);
    return true;
  }
  if (lower.find("transfer-encoding: chunked") == std::string::npos) return false;
  for (int chunks = 0; chunks < (1 << 20); ++chunks) {
    std::size_t lineEnd;
    while ((lineEnd = buffer.find("\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    std::size_t size = std::strtoul(buffer.c_str(), nullptr, 16);
    buffer.erase(0, lineEnd + 2);
    while (buffer.size() < size + 2) {
      if (!fill()) return false;
    }
    body.append(buffer, 0, size);
    buffer.erase(0, size + 2);
    if (size == 0) return true;
  }
  return false;
}

std::string jsonEscape(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 2000)) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--port") options.ports.push_back(std::atoi(value.c_str()));
    else if (flag == "--method") options.method = value;
    else if (flag == "--path") options.path = value;
    else if (flag == "--header") options.headers.push_back(value);
    else if (flag == "--requests") options.requests = std::atol(value.c_str());
    else if (flag == "--connections") options.connections = std::max(1, std::atoi(value.c_str()));
    else if (flag == "--expect") options.expect = value;
    else if (flag == "--timeout-s") options.timeoutSeconds = std::max(1, std::atoi(value.c_str()));
    else if (flag == "--body-file") {
      std::ifstream in(value, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "hh-loadgen: cannot read %s\n", value.c_str());
        std::exit(2);
      }
      std::ostringstream text;
      text << in.rdbuf();
      options.body = text.str();
    } else {
      std::fprintf(stderr, "hh-loadgen: unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  bool portsOk = !options.ports.empty() &&
                 std::all_of(options.ports.begin(), options.ports.end(), [](int port) { return port > 0; });
  if (!portsOk || options.requests <= 0) {
    std::fprintf(stderr, "hh-loadgen: --port and --requests (> 0) are required\n");
    std::exit(2);
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  const std::size_t portCount = options.ports.size();
  std::vector<std::string> requests;  // one per port: the Host header names it
  for (int port : options.ports) {
    std::string request = options.method + " " + options.path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                          std::to_string(port) + "\r\nContent-Type: application/json\r\n";
    for (const auto& header : options.headers) request += header + "\r\n";
    request += "Content-Length: " + std::to_string(options.body.size()) + "\r\n\r\n" + options.body;
    requests.push_back(std::move(request));
  }

  std::vector<Outcome> outcomes(static_cast<std::size_t>(options.requests));
  std::atomic<long> next{0};
  std::mutex sampleMutex;
  std::string firstBody, firstBadBody;
  double startMono = monotonicSeconds();
  double startReal = realtimeSeconds();
  std::vector<std::thread> threads;
  for (int c = 0; c < options.connections; ++c) {
    threads.emplace_back([&]() {
      std::vector<int> fds(portCount, -1);
      std::vector<std::string> buffers(portCount);
      std::string body;
      for (long index = next++; index < options.requests; index = next++) {
        Outcome& outcome = outcomes[static_cast<std::size_t>(index)];
        const std::size_t target = static_cast<std::size_t>(index) % portCount;
        int& fd = fds[target];
        std::string& buffer = buffers[target];
        auto begin = std::chrono::steady_clock::now();
        bool done = false;
        // One retry on a fresh connection: a kept-alive socket the server closed meanwhile.
        for (int attempt = 0; attempt < 2 && !done; ++attempt) {
          if (fd < 0) {
            fd = connectLoopback(options, options.ports[target]);
            buffer.clear();
            if (fd < 0) continue;
          }
          bool keepAlive = true;
          done = sendAll(fd, requests[target]) && readResponse(fd, buffer, outcome.status, body, keepAlive);
          if (!done || !keepAlive) {
            ::close(fd);
            fd = -1;
          }
        }
        outcome.latencyMicros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begin).count();
        if (!done) outcome.status = 0;
        outcome.expected = options.expect.empty() || body.find(options.expect) != std::string::npos;
        bool good = outcome.status >= 200 && outcome.status < 300 && outcome.expected;
        std::lock_guard lock(sampleMutex);
        if (firstBody.empty() && good) firstBody = body;
        if (firstBadBody.empty() && !good) firstBadBody = done ? body : "(connection error)";
      }
      for (int fd : fds) {
        if (fd >= 0) ::close(fd);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double endMono = monotonicSeconds();
  double endReal = realtimeSeconds();

  std::vector<long> latencies;
  std::map<int, long> statuses;
  long good = 0, unexpected = 0;
  std::vector<long> goodPerPort(portCount, 0);
  for (std::size_t index = 0; index < outcomes.size(); ++index) {
    const Outcome& outcome = outcomes[index];
    latencies.push_back(outcome.latencyMicros);
    ++statuses[outcome.status];
    if (!outcome.expected) ++unexpected;
    if (outcome.status >= 200 && outcome.status < 300 && outcome.expected) {
      ++good;
      ++goodPerPort[index % portCount];
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    std::size_t index = static_cast<std::size_t>(p * static_cast<double>(latencies.size() - 1) + 0.5);
    return static_cast<double>(latencies[std::min(index, latencies.size() - 1)]) / 1000.0;
  };
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;

  std::printf("{\"requests\": %ld, \"good\": %ld, \"unexpected_body\": %ld, \"statuses\": {", options.requests, good,
              unexpected);
  bool first = true;
  for (const auto& [status, count] : statuses) {
    std::printf("%s\"%d\": %ld", first ? "" : ", ", status, count);
    first = false;
  }
  std::printf("}, \"good_per_port\": [");
  for (std::size_t i = 0; i < portCount; ++i) std::printf("%s%ld", i ? ", " : "", goodPerPort[i]);
  std::printf("], \"start_mono\": %.6f, \"end_mono\": %.6f, \"start_real\": %.6f, \"end_real\": %.6f, "
              "\"elapsed_s\": %.6f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
              "\"cpu_s\": %.3f, \"first_body\": \"%s\", \"first_bad_body\": \"%s\"}\n",
              startMono, endMono, startReal, endReal, endMono - startMono, percentile(0.5), percentile(0.9),
              percentile(0.99), percentile(1.0), cpu, jsonEscape(firstBody).c_str(), jsonEscape(firstBadBody).c_str());
  return 0;
}
