// Cross-host wake-ups on PostgreSQL (issue 17): the writes that make jobs runnable announce it
// at their commit, a listener on another connection wakes for it, skips what its own process
// sent, and listens again after the server ends its connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include <libpq-fe.h>

#include "storage/postgres_wakeups.hpp"
#include "store_fixture.hpp"

namespace hookhost::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr Micros kThirtySeconds = 30'000'000;

// A plain LISTEN of the test's own, to see exactly what the store sends.
class ChannelTap {
 public:
  explicit ChannelTap(const std::string& connection) : connection_(PQconnectdb(connection.c_str())) {
    EXPECT_EQ(PQstatus(connection_), CONNECTION_OK) << PQerrorMessage(connection_);
    PGresult* listening = PQexec(connection_, (std::string("LISTEN ") + storage::kJobsChannel).c_str());
    EXPECT_EQ(PQresultStatus(listening), PGRES_COMMAND_OK) << PQerrorMessage(connection_);
    PQclear(listening);
  }
  ~ChannelTap() { PQfinish(connection_); }
  ChannelTap(const ChannelTap&) = delete;
  ChannelTap& operator=(const ChannelTap&) = delete;

  /// The payloads heard, in commit order, up to `last` or until `within` passes.
  std::vector<std::string> heardUntil(const std::string& last, std::chrono::milliseconds within) {
    std::vector<std::string> heard;
    for (auto giveUpAt = Clock::now() + within; Clock::now() < giveUpAt;) {
      pollfd socket{PQsocket(connection_), POLLIN, 0};
      if (::poll(&socket, 1, 100) > 0 && !PQconsumeInput(connection_)) break;
      while (PGnotify* notification = PQnotifies(connection_)) {
        heard.emplace_back(notification->extra);
        PQfreemem(notification);
      }
      if (!heard.empty() && heard.back() == last) break;
    }
    return heard;
  }

 private:
  PGconn* connection_;
};

class PostgresWakeupsTest : public StoreTest {
 protected:
  void TearDown() override {
    if (listener_) listener_->stop();
  }

  void startListener(bool skipOwn) {
    storage::PostgresWakeupsOptions options;
    options.connection = postgres_->connectionString();
    options.skipOwn = skipOwn;
    options.retryMin = 20ms;
    options.wake = [this] {
      {
        std::lock_guard lock(mutex_);
        ++wakes_;
      }
      woken_.notify_all();
    };
    listener_ = std::make_unique<storage::PostgresWakeups>(options);
    listener_->start();
  }

  std::uint64_t wakes() {
    std::lock_guard lock(mutex_);
    return wakes_;
  }
  bool wokenPast(std::uint64_t seen, std::chrono::milliseconds within) {
    std::unique_lock lock(mutex_);
    return woken_.wait_for(lock, within, [&] { return wakes_ > seen; });
  }
  void notifyAsAnotherHost(const std::string& payload) {
    postgres_->execute(std::string("NOTIFY ") + storage::kJobsChannel + ", '" + payload + "'");
  }

  std::unique_ptr<storage::PostgresWakeups> listener_;
  std::mutex mutex_;
  std::condition_variable woken_;
  std::uint64_t wakes_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresWakeupsTest, ::testing::Values(Backend::Postgres), backendName);

TEST_P(PostgresWakeupsTest, WritesThatQueueJobsNotifyAtTheirCommitAndOthersDoNot) {
  ChannelTap tap(postgres_->connectionString());
  addHandler("h", {}, 3);
  fire();                                               // queues a job
  ASSERT_EQ(store_->claimJobs("host-a", 1, -1).size(), 1u);  // takes it: nothing to announce
  EXPECT_EQ(lifecycle_->rescue(storage::RescueScope::ExpiredLeases).requeued, 1);  // queues it again
  notifyAsAnotherHost("end");
  // Commit order; each named with this process, which its own listener skips.
  const std::string self = storage::wakeupSender();
  EXPECT_EQ(tap.heardUntil("end", 10s), (std::vector<std::string>{self, self, "end"}));
}

TEST_P(PostgresWakeupsTest, AFireCommittedOnOneConnectionWakesAListenerOnAnother) {
  startListener(false);
  ASSERT_TRUE(eventually([&] { return listener_->listens() == 1; }, 10s));
  const std::uint64_t seen = wakes();  // the wake every (re)connect makes
  addHandler("h");
  fire();
  ASSERT_TRUE(wokenPast(seen, 5s)) << "no wake within 5 s of the fire's commit";
  EXPECT_EQ(listener_->heard(), 1u);
}

TEST_P(PostgresWakeupsTest, TheListenerSkipsItsOwnProcessAndListensAgainAfterItsBackendIsTerminated) {
  startListener(true);
  ASSERT_TRUE(eventually([&] { return listener_->listens() == 1; }, 10s));
  addHandler("h");
  fire();  // this process's: skipped, and heard before the next (commit order)
  notifyAsAnotherHost("host-b:1");
  ASSERT_TRUE(eventually([&] { return listener_->heard() > 0; }, 10s));
  EXPECT_EQ(listener_->skipped(), 1u);
  EXPECT_EQ(listener_->heard(), 1u) << "its own process's notification counted";

  postgres_->execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                     "WHERE application_name = 'hookhost-wakeups' AND datname = current_database()");
  ASSERT_TRUE(eventually([&] { return listener_->listens() == 2; }, 10s)) << "it did not listen again";
  const std::uint64_t seen = wakes();
  notifyAsAnotherHost("host-b:1");
  ASSERT_TRUE(wokenPast(seen, 5s)) << "no wake after the reconnect";
  EXPECT_EQ(listener_->heard(), 2u);
}

// A server that takes the connection and never answers: stop() does not wait out the
// connect timeout.
TEST_P(PostgresWakeupsTest, StopIsPromptWhileAConnectionAttemptHangs) {
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(server, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(server, 1), 0);
  ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length), 0);

  storage::PostgresWakeupsOptions options;
  options.connection = "host=127.0.0.1 port=" + std::to_string(ntohs(address.sin_port)) + " dbname=nothing";
  options.connectTimeout = 60s;
  storage::PostgresWakeups hanging(options);
  hanging.start();
  pollfd incoming{server, POLLIN, 0};
  ASSERT_EQ(::poll(&incoming, 1, 10'000), 1) << "the listener did not try to connect";
  const int accepted = ::accept(server, nullptr, nullptr);
  const auto stopping = Clock::now();
  hanging.stop();
  EXPECT_LT(Clock::now() - stopping, 2s);
  EXPECT_EQ(hanging.listens(), 0u);
  ::close(accepted);
  ::close(server);
}

}  // namespace
}  // namespace hookhost::testing
