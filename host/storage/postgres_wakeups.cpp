#include "storage/postgres_wakeups.hpp"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <stdexcept>
#include <unistd.h>

#include <libpq-fe.h>

#include <Poco/Logger.h>

#include "storage/postgres_url.hpp"

namespace hookhost::storage {
namespace {

using Clock = std::chrono::steady_clock;

Poco::Logger& logger() { return Poco::Logger::get("hookhost.storage"); }

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Named in pg_stat_activity, so an operator (and a test) can tell it from the store's connections.
std::string withApplicationName(const std::string& connection) {
  if (connection.find("application_name=") != std::string::npos) return connection;
  return connection + " application_name=hookhost-wakeups";
}

}  // namespace

const std::string& wakeupSender() {
  static const std::string sender = [] {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return std::string(name) + ":" + std::to_string(::getpid());
  }();
  return sender;
}

PostgresWakeups::PostgresWakeups(PostgresWakeupsOptions options) : options_(std::move(options)) {
  options_.connection = withApplicationName(options_.connection);
}

PostgresWakeups::~PostgresWakeups() { stop(); }

std::unique_ptr<PostgresWakeups> PostgresWakeups::forStore(const std::string& dataUrl, std::function<void()> wake) {
  if (dataUrl.rfind("postgresql://", 0) != 0 && dataUrl.rfind("postgres://", 0) != 0) return nullptr;
  auto connection = postgresConnectionString(dataUrl);
  if (!connection) throw std::invalid_argument(connection.error().message);
  PostgresWakeupsOptions options;
  options.connection = *connection;
  options.wake = std::move(wake);
  return std::make_unique<PostgresWakeups>(std::move(options));
}

void PostgresWakeups::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void PostgresWakeups::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PostgresWakeups::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void PostgresWakeups::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  stopped_.wait_for(lock, delay, [this] { return stopping_; });
}

void PostgresWakeups::loop() {
  auto delay = options_.retryMin;
  bool failing = false;  // in a spell of lost or refused connections, logged once
  while (!stopping()) {
    if (!listen()) {
      if (!failing && !stopping()) {
        logger().warning("cross-host wake-ups: cannot listen on PostgreSQL (%s); retrying, and the dispatcher "
                         "polls meanwhile", problem_);
      }
      failing = true;
      pause(delay);
      delay = std::min(delay * 2, options_.retryMax);
      continue;
    }
    if (failing) logger().information("cross-host wake-ups: listening on PostgreSQL again");
    failing = false;
    delay = options_.retryMin;
    // Whatever was announced while nobody listened is lost: look at the queue once.
    if (options_.wake) options_.wake();
    ++listens_;
    while (!stopping() && receive()) {
    }
    disconnect();
    if (stopping()) break;
    logger().warning("cross-host wake-ups: lost the PostgreSQL connection (%s); reconnecting, and the "
                     "dispatcher polls meanwhile", problem_);
    failing = true;
  }
  disconnect();
}

bool PostgresWakeups::listen() {
  if (!connect()) {
    disconnect();
    return false;
  }
  PGresult* result = PQexec(connection_, (std::string("LISTEN ") + kJobsChannel).c_str());
  const bool listening = PQresultStatus(result) == PGRES_COMMAND_OK;
  if (!listening) problem_ = trimmed(PQresultErrorMessage(result));
  PQclear(result);
  if (!listening) disconnect();
  return listening;
}

// Non-blocking, in slices: a host that stops while the database is unreachable does not
// wait out a connect timeout.
bool PostgresWakeups::connect() {
  connection_ = PQconnectStart(options_.connection.c_str());
  if (!connection_) {
    problem_ = "out of memory";
    return false;
  }
  const auto giveUpAt = Clock::now() + options_.connectTimeout;
  // As libpq documents the loop: as if PQconnectPoll had asked to write first.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED || PQstatus(connection_) == CONNECTION_BAD) {
      problem_ = trimmed(PQerrorMessage(connection_));
      return false;
    }
    if (stopping()) return false;
    if (PQsocket(connection_) < 0 || Clock::now() >= giveUpAt) {
      problem_ = "no connection within " + std::to_string(options_.connectTimeout.count()) + " ms";
      return false;
    }
    pollfd socket{PQsocket(connection_), static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    const int ready = ::poll(&socket, 1, static_cast<int>(options_.slice.count()));
    if (ready < 0 && errno != EINTR) {
      problem_ = "poll failed";
      return false;
    }
    if (ready > 0) status = PQconnectPoll(connection_);
  }
  return true;
}

bool PostgresWakeups::receive() {
  if (PQsocket(connection_) < 0) {
    problem_ = trimmed(PQerrorMessage(connection_));
    return false;
  }
  pollfd socket{PQsocket(connection_), POLLIN, 0};
  const int ready = ::poll(&socket, 1, static_cast<int>(options_.slice.count()));
  if (ready == 0 || (ready < 0 && errno == EINTR)) return true;
  if (ready < 0 || !PQconsumeInput(connection_)) {
    problem_ = ready < 0 ? "poll failed" : trimmed(PQerrorMessage(connection_));
    return false;
  }
  std::uint64_t fromOthers = 0;
  while (PGnotify* notification = PQnotifies(connection_)) {
    if (!options_.skipOwn || wakeupSender() != notification->extra) ++fromOthers;
    else ++skipped_;
    PQfreemem(notification);
  }
  if (fromOthers > 0) {
    heard_ += fromOthers;
    if (options_.wake) options_.wake();
  }
  if (PQstatus(connection_) == CONNECTION_OK) return true;
  problem_ = trimmed(PQerrorMessage(connection_));
  return false;
}

void PostgresWakeups::disconnect() {
  if (connection_) PQfinish(connection_);
  connection_ = nullptr;
}

}  // namespace hookhost::storage
