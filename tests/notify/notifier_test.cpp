#include "notify/notifier.hpp"

#include <set>

#include <gtest/gtest.h>

#include "memory_outbox.hpp"
#include "notify/smtp_transport.hpp"
#include "notify/spool_transport.hpp"
#include "sample.hpp"
#include "smtp_sink.hpp"

namespace hookhost::notify {
namespace {

using namespace std::chrono_literals;
using testing::MemoryOutbox;
using testing::SmtpSink;
using testing::TempDir;
using testing::waitFor;
using State = MemoryOutbox::State;

SmtpSettings smtpAt(std::uint16_t port) {
  SmtpSettings s;
  s.host = "127.0.0.1";
  s.port = port;
  s.timeout = 5s;
  s.heloName = "hookhost.test";
  return s;
}

RetrySettings fastRetry() {
  RetrySettings r;
  r.min = 50ms;
  r.max = 200ms;
  r.giveUpAfter = 1h;
  return r;
}

NotifierSettings fastPolling() {
  NotifierSettings s;
  s.pollInterval = 20ms;
  return s;
}

Notification forJob(std::int64_t jobId) {
  Notification n = testing::sampleNotification();
  n.jobId = jobId;
  n.eventId = 1000 + jobId;
  n.createdAt = 0;  // the outbox stamps it
  n.jobPath.clear();
  return n;
}

// A notifier that spools to a temporary directory from an in-memory outbox, polling only
// every 30 s: what it sends sooner, a poke made it send.
struct PokedNotifier {
  explicit PokedNotifier(std::chrono::milliseconds gather = NotifierSettings{}.gather)
      : spool(dir.path()), builder(MessageSettings{}), retry(fastRetry()),
        notifier(outbox, spool, builder, retry, settings(gather)) {}
  static NotifierSettings settings(std::chrono::milliseconds gather) {
    NotifierSettings s;
    s.pollInterval = 30s;
    s.gather = gather;
    return s;
  }
  TempDir dir;
  MemoryOutbox outbox;
  SpoolTransport spool;
  MessageBuilder builder;
  RetryPolicy retry;
  Notifier notifier;
};

std::multiset<std::string> messageIds(const SmtpSink& sink) {
  std::multiset<std::string> ids;
  for (const auto& file : sink.messageFiles()) {
    ids.insert(testing::parseEml(file)["headers"]["Message-ID"].get<std::string>());
  }
  return ids;
}

TEST(Notifier, SmtpDownWhileAHundredAreDueThenUpDeliversEachOnce) {
  TempDir dir;
  std::uint16_t port;
  {
    SmtpSink probe(dir.file("probe"));
    ASSERT_NE(probe.port(), 0);
    port = probe.port();
  }  // now nothing listens on `port`

  MemoryOutbox outbox;
  for (int job = 1; job <= 100; ++job) outbox.add(forJob(job));
  SmtpTransport transport(smtpAt(port));
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, transport, builder, retry, fastPolling());
  notifier.start();

  ASSERT_TRUE(waitFor(
      [&] {
        for (const auto& row : outbox.rows()) {
          if (row.retries < 1) return false;
        }
        return true;
      },
      20s))
      << "every notification should have failed once while the server is down";
  EXPECT_EQ(outbox.countIn(State::Sent), 0u);

  SmtpSink sink(dir.file("mail"), {"--port", std::to_string(port)});
  ASSERT_EQ(sink.port(), port);
  ASSERT_TRUE(waitFor([&] { return outbox.countIn(State::Sent) == 100; }, 60s))
      << outbox.countIn(State::Sent) << " of 100 sent";
  notifier.stop();

  std::multiset<std::string> ids = messageIds(sink);
  EXPECT_EQ(ids.size(), 100u);
  for (int id = 1; id <= 100; ++id) {
    EXPECT_EQ(ids.count("<hookhost.notification." + std::to_string(id) + "@localhost>"), 1u) << id;
  }
  NotifierCounters counters = notifier.counters();
  EXPECT_EQ(counters.sent, 100u);
  EXPECT_GE(counters.retried, 100u);
  EXPECT_EQ(counters.failed, 0u);
  EXPECT_EQ(outbox.staleMarks(), 0);
}

TEST(Notifier, A550IsRecordedAsPermanentAfterOneAttempt) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--rcpt-code", "550"}, dir.file("log"));
  ASSERT_NE(sink.port(), 0);
  MemoryOutbox outbox;
  std::int64_t id = outbox.add(forJob(5));
  SmtpTransport transport(smtpAt(sink.port()));
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, transport, builder, retry, fastPolling());

  EXPECT_EQ(notifier.runOnce(), 1u);
  for (int pass = 0; pass < 5; ++pass) EXPECT_EQ(notifier.runOnce(), 0u) << "a failed row is done";

  auto row = outbox.row(id);
  EXPECT_EQ(row.state, State::Failed);
  EXPECT_EQ(row.notification.sendAttempts, 1);
  EXPECT_EQ(row.retries, 0);
  EXPECT_NE(row.notification.lastError.find("550"), std::string::npos) << row.notification.lastError;
  int rcpts = 0;
  for (const auto& event : sink.events()) rcpts += event["event"] == "rcpt";
  EXPECT_EQ(rcpts, 1);
  EXPECT_EQ(notifier.counters().failed, 1u);
  EXPECT_EQ(notifier.counters().retried, 0u);
}

TEST(Notifier, ConnectionLostAfterDataIsResentWithTheSameMessageId) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"), {"--drop-after-data", "1"});
  ASSERT_NE(sink.port(), 0);
  MemoryOutbox outbox;
  std::int64_t id = outbox.add(forJob(8));
  SmtpTransport transport(smtpAt(sink.port()));
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, transport, builder, retry, fastPolling());
  notifier.start();
  ASSERT_TRUE(waitFor([&] { return outbox.row(id).state == State::Sent; }, 20s));
  notifier.stop();

  auto row = outbox.row(id);
  EXPECT_EQ(row.retries, 1);
  ASSERT_EQ(row.history.size(), 2u);
  EXPECT_NE(row.history[0].find("connection lost after sending the message data"),
            std::string::npos)
      << row.history[0];
  std::multiset<std::string> ids = messageIds(sink);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.count("<hookhost.notification.1@localhost>"), 2u)
      << "the receiver can de-duplicate by Message-ID";
}

TEST(Notifier, GivesUpAfterTheWindowWithTheLastError) {
  TempDir dir;
  std::uint16_t port;
  {
    SmtpSink probe(dir.file("probe"));
    ASSERT_NE(probe.port(), 0);
    port = probe.port();
  }
  MemoryOutbox outbox;
  std::int64_t id = outbox.add(forJob(9));
  SmtpTransport transport(smtpAt(port));
  MessageBuilder builder(MessageSettings{});
  RetrySettings window = fastRetry();
  window.giveUpAfter = 400ms;
  RetryPolicy retry(window);
  Notifier notifier(outbox, transport, builder, retry, fastPolling());
  notifier.start();
  ASSERT_TRUE(waitFor([&] { return outbox.row(id).state == State::Failed; }, 20s));
  notifier.stop();
  auto row = outbox.row(id);
  EXPECT_GE(row.notification.sendAttempts, 2);
  EXPECT_EQ(row.notification.lastError.rfind("gave up after 400ms: SMTP connecting", 0), 0u)
      << row.notification.lastError;
  EXPECT_EQ(notifier.counters().failed, 1u);
}

TEST(Notifier, PokeWakesItWithoutWaitingForThePoll) {
  PokedNotifier n;
  n.notifier.start();
  // After the first (empty) pass the thread sleeps on its 30 s poll: only poke() can make
  // it see the new row within the 5 s this test waits.
  ASSERT_TRUE(waitFor([&] { return n.outbox.claimCalls() >= 1; }, 5s));
  std::int64_t id = n.outbox.add(forJob(11));
  auto poked = std::chrono::steady_clock::now();
  n.notifier.poke();
  ASSERT_TRUE(waitFor([&] { return n.outbox.row(id).state == State::Sent; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - poked, 5s);
  n.notifier.stop();
  EXPECT_TRUE(std::filesystem::exists(n.spool.pathFor(n.outbox.row(id).notification)));
}

TEST(Notifier, MailOfJobsFinishingTogetherSharesOnePass) {
  PokedNotifier n(1s);  // a gathering window both pokes below land in, even on a loaded CI
  n.notifier.start();
  ASSERT_TRUE(waitFor([&] { return n.outbox.claimCalls() >= 1; }, 5s));
  const auto claimsBefore = n.outbox.claimCalls();
  std::int64_t first = n.outbox.add(forJob(21));
  n.notifier.poke();
  std::int64_t second = n.outbox.add(forJob(22));
  n.notifier.poke();
  ASSERT_TRUE(waitFor([&] {
    return n.outbox.row(first).state == State::Sent && n.outbox.row(second).state == State::Sent;
  }, 10s));
  EXPECT_EQ(n.outbox.claimCalls() - claimsBefore, 1) << "both mails in one claim";
  n.notifier.stop();
}

TEST(Notifier, TwoNotifiersNeverSendTheSameRow) {
  TempDir dir;
  SmtpSink sink(dir.file("mail"));
  ASSERT_NE(sink.port(), 0);
  MemoryOutbox outbox;
  for (int job = 1; job <= 60; ++job) outbox.add(forJob(job));
  SmtpTransport first(smtpAt(sink.port()));
  SmtpTransport second(smtpAt(sink.port()));
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  NotifierSettings small = fastPolling();
  small.batchSize = 4;
  Notifier a(outbox, first, builder, retry, small);
  Notifier b(outbox, second, builder, retry, small);
  a.start();
  b.start();
  ASSERT_TRUE(waitFor([&] { return outbox.countIn(State::Sent) == 60; }, 60s));
  a.stop();
  b.stop();
  EXPECT_EQ(a.counters().sent + b.counters().sent, 60u);
  EXPECT_GT(a.counters().sent, 0u);
  EXPECT_GT(b.counters().sent, 0u);
  std::multiset<std::string> ids = messageIds(sink);
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 60u);
}

TEST(Notifier, AnAbandonedClaimIsSentOnceItsLeaseExpires) {
  // A host that claimed a row and died (kill -9) before markSent: the lease keeps others
  // away until it runs out, then the row is sent; the dead claim can no longer settle it.
  TempDir dir;
  MemoryOutbox outbox;
  std::int64_t id = outbox.add(forJob(12));
  Micros now = nowMicros();
  auto dead = outbox.claimDue(now, 10, now + 300'000);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);

  SpoolTransport spool(dir.path());
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, spool, builder, retry, fastPolling());
  EXPECT_EQ(notifier.runOnce(), 0u) << "leased rows are not claimable";
  ASSERT_TRUE(waitFor([&] { return notifier.runOnce() == 1; }, 5s));
  EXPECT_EQ(outbox.row(id).state, State::Sent);
  EXPECT_EQ(outbox.row(id).notification.sendAttempts, 2);
  Status late = outbox.markFailed(id, 1, nowMicros(), "the dead claim wakes up");
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "stale_claim");
  EXPECT_EQ(outbox.row(id).state, State::Sent);
}

TEST(Notifier, SpoolModeWritesOneReadableFilePerNotification) {
  TempDir dir;
  MemoryOutbox outbox;
  outbox.add(forJob(21));
  Notification failed = forJob(22);
  failed.outcome = Outcome::Failed;
  failed.recipient = "failure@example.com";
  outbox.add(failed);
  SpoolTransport spool(dir.file("spool"));
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, spool, builder, retry, fastPolling());
  EXPECT_EQ(notifier.runOnce(), 2u);
  EXPECT_EQ(outbox.countIn(State::Sent), 2u);

  auto ok = testing::parseEml(spool.pathFor(outbox.row(1).notification));
  EXPECT_EQ(ok["subject"], "[hookhost] trivial-handler on ctingress.on_complete: succeeded (job 21)");
  EXPECT_EQ(ok["headers"]["X-Hookhost-Job"], "21");
  EXPECT_EQ(ok["headers"]["X-Hookhost-Event"], "1021");
  auto bad = testing::parseEml(spool.pathFor(outbox.row(2).notification));
  EXPECT_EQ(bad["subject"], "[hookhost] trivial-handler on ctingress.on_complete: failed (job 22)");
  EXPECT_EQ(bad["headers"]["To"], "failure@example.com");
  EXPECT_NE(std::string(bad["body"]).find("Traceback (most recent call last):"), std::string::npos);
}

// A transport that accepts every message but cannot make them durable.
class UnflushableTransport final : public Transport {
 public:
  SendResult send(const Notification&, Poco::Net::MailMessage&) override {
    ++sends;
    return {};
  }
  SendResult flush() override {
    ++flushes;
    return SendResult{SendStatus::Temporary, "disk gone", FailureScope::Server};
  }
  std::string name() const override { return "unflushable"; }
  int sends = 0;
  int flushes = 0;
};

TEST(Notifier, APassIsRecordedAsSentOnlyOnceTheTransportMadeItDurable) {
  MemoryOutbox outbox;
  for (int job = 1; job <= 3; ++job) outbox.add(forJob(job));
  UnflushableTransport transport;
  MessageBuilder builder(MessageSettings{});
  RetryPolicy retry(fastRetry());
  Notifier notifier(outbox, transport, builder, retry, fastPolling());
  EXPECT_EQ(notifier.runOnce(), 3u);
  EXPECT_EQ(transport.sends, 3);
  EXPECT_EQ(transport.flushes, 1);  // once for the pass
  EXPECT_EQ(outbox.countIn(State::Sent), 0u);
  for (const auto& row : outbox.rows()) {
    EXPECT_EQ(row.state, State::Pending);
    EXPECT_EQ(row.retries, 1);
    EXPECT_EQ(row.notification.lastError, "disk gone");
  }
}

}  // namespace
}  // namespace hookhost::notify
