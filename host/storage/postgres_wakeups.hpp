#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct pg_conn;  // libpq's PGconn

namespace hookhost::storage {

/// The channel RunnableJobsNotice announces runnable jobs on.
inline constexpr const char* kJobsChannel = "hookhost_jobs";

/// This process as its notifications name it ("hostname:pid"), so its own listener can
/// tell them from other hosts'.
const std::string& wakeupSender();

struct PostgresWakeupsOptions {
  /// libpq's key=value connection string (postgresConnectionString of `data.url`).
  std::string connection;
  /// Called on the listener's thread for each burst of notifications from other processes,
  /// and after each (re)connect, since what was announced while nobody listened is lost.
  /// Must be quick (Dispatcher::wake).
  std::function<void()> wake;
  /// Skip the notifications this process sent (its dispatcher already knows of that work).
  bool skipOwn = true;
  /// The longest one wait on the socket blocks: about what stop() takes.
  std::chrono::milliseconds slice{100};
  /// How long a connection attempt may take.
  std::chrono::milliseconds connectTimeout{10'000};
  /// The wait between reconnect attempts, doubling from the first to the second.
  std::chrono::milliseconds retryMin{100};
  std::chrono::milliseconds retryMax{5'000};
};

/// LISTENs on kJobsChannel over a connection of its own (libpq, beside the store's
/// connections) and calls `wake` on each notification, so that a job made runnable by
/// another host sharing the store is claimed within milliseconds of its commit instead of
/// at the dispatcher's next poll. Notifications are hints: the queue stays the truth, and
/// while the connection is down (a terminated backend, a restarted server) the dispatcher's
/// polls find the work; the thread reconnects with backoff and logs once per spell.
/// start() and stop() from one thread; the counters from any.
class PostgresWakeups {
 public:
  explicit PostgresWakeups(PostgresWakeupsOptions options);
  ~PostgresWakeups();
  PostgresWakeups(const PostgresWakeups&) = delete;
  PostgresWakeups& operator=(const PostgresWakeups&) = delete;

  /// A listener for the store at `dataUrl` when that is PostgreSQL; null for SQLite, whose
  /// store has one host. Throws std::invalid_argument for a malformed PostgreSQL URL.
  static std::unique_ptr<PostgresWakeups> forStore(const std::string& dataUrl, std::function<void()> wake);

  /// Starts the listening thread; it connects in the background.
  void start();
  /// Ends the thread and closes the connection, within about one slice.
  void stop();

  /// How often the connection was made and listening: 1 after the first, one more per reconnect.
  std::uint64_t listens() const { return listens_.load(); }
  /// Notifications from other processes heard.
  std::uint64_t heard() const { return heard_.load(); }
  /// This process's own notifications skipped; counted before the ones heard with them.
  std::uint64_t skipped() const { return skipped_.load(); }

 private:
  void loop();
  /// Connects and LISTENs; false (and nothing open) when that fails.
  bool listen();
  bool connect();
  /// Waits up to a slice for notifications and wakes for them; false when the connection is lost.
  bool receive();
  void disconnect();
  void pause(std::chrono::milliseconds delay);
  bool stopping() const;

  PostgresWakeupsOptions options_;
  pg_conn* connection_ = nullptr;  // the listener thread's
  std::string problem_;            // why the last connect or receive failed
  std::atomic<std::uint64_t> listens_{0};
  std::atomic<std::uint64_t> heard_{0};
  std::atomic<std::uint64_t> skipped_{0};
  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hookhost::storage
