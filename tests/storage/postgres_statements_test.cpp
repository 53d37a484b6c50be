// The store's PostgreSQL statements through libpq (issue 17), on the real server of the
// `postgres` fixture: values both ways, errors, kept statements past their bound, across a
// rolled back transaction and a dropped connection, and the database's clock.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>
#include <variant>

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>

#include "postgres_database.hpp"
#include "storage/group_committer.hpp"
#include "storage/kept_readers.hpp"
#include "storage/sql_connection.hpp"
#include "storage/sql_rows.hpp"

namespace hookhost::storage {
namespace {

using sql::bind;

// What a failure in the middle of a pipeline can leave behind (a backend terminated while
// libpq waited): libpq still in pipeline mode with its status "OK", so that every later
// synchronous call is refused without reading from the server, and the status never turns.
void leaveInPipelineMode(sql::Connection& session) {
  auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.session().impl());
  ASSERT_NE(impl, nullptr);
  ASSERT_EQ(PQenterPipelineMode(impl->handle()), 1);
}

std::int64_t seven(sql::Connection& session) {
  auto rows = session.query("SELECT 7 AS n", {});
  rows.moveFirst();
  return sql::integer(rows, "n");
}

class PostgresStatementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    kept_ = std::make_unique<sql::KeptConnection>(Poco::Data::Session("PostgreSQL", database_.connectionString()));
  }

  sql::Connection& connection() { return kept_->connection; }

  testing::PostgresDatabase database_;
  std::unique_ptr<sql::KeptConnection> kept_;
};

TEST_F(PostgresStatementsTest, ResultColumnsBecomeIntegersRealsAndText) {
  auto rows = connection().query(
      "SELECT 1::int2 AS small, 2::int4 AS normal, 9007199254740993::int8 AS big, true AS yes, false AS no, "
      "1.5::float8 AS real, 2.25::numeric AS fraction, 7::numeric AS whole, 'it''s' AS words, NULL::text AS nothing",
      {});
  ASSERT_TRUE(rows.moveFirst());
  EXPECT_EQ(std::get<std::int64_t>(rows["small"]), 1);
  EXPECT_EQ(std::get<std::int64_t>(rows["normal"]), 2);
  EXPECT_EQ(std::get<std::int64_t>(rows["big"]), 9007199254740993LL);
  EXPECT_EQ(std::get<std::int64_t>(rows["yes"]), 1);
  EXPECT_EQ(std::get<std::int64_t>(rows["no"]), 0);
  EXPECT_DOUBLE_EQ(std::get<double>(rows["real"]), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(rows["fraction"]), 2.25);
  EXPECT_EQ(std::get<std::int64_t>(rows["whole"]), 7);
  EXPECT_EQ(std::get<std::string>(rows["words"]), "it's");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows["nothing"]));
}

TEST_F(PostgresStatementsTest, ParametersArriveAsBoundIncludingNullsAndPlaceholdersInQuotes) {
  std::optional<std::int64_t> none;
  const std::string text = "a 'quoted' ? and ünïcode";
  auto rows = sql::query(connection(),
                         "SELECT ?::bigint + 1 AS next, ?::float8 * 2 AS twice, ? AS same, ?::bigint IS NULL AS empty, "
                         "'?' AS literal",
                         [&](auto& st) { st, bind(std::int64_t{41}), bind(0.25), bind(text), bind(none); });
  ASSERT_TRUE(rows.moveFirst());
  EXPECT_EQ(sql::integer(rows, "next"), 42);
  EXPECT_DOUBLE_EQ(std::get<double>(rows["twice"]), 0.5);
  EXPECT_EQ(sql::text(rows, "same"), text);
  EXPECT_EQ(sql::integer(rows, "empty"), 1);
  EXPECT_EQ(sql::text(rows, "literal"), "?");
}

TEST_F(PostgresStatementsTest, AFailureCarriesTheServersMessageAndSqlState) {
  try {
    connection().query("SELECT * FROM no_such_table", {});
    FAIL() << "a missing table must throw";
  } catch (const Poco::Data::DataException& error) {
    EXPECT_NE(error.message().find("no_such_table"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("SQLSTATE 42P01"), std::string::npos) << error.message();
  }
  // The connection is usable after the failure (outside a transaction nothing is aborted).
  EXPECT_EQ(connection().query("SELECT 1 AS one", {}).rowCount(), 1u);
}

TEST_F(PostgresStatementsTest, StatementsPastTheKeptBoundStillRunAndCountTheirRows) {
  connection().execute("CREATE TABLE items (id BIGINT PRIMARY KEY)", {});
  // Each text is a statement of its own: more of them than a connection keeps prepared.
  for (int i = 0; i < 300; ++i) {
    const std::string sql = "INSERT INTO items (id) VALUES (" + std::to_string(i) + ")";
    ASSERT_EQ(connection().execute(sql, {}), 1u) << sql;
  }
  EXPECT_EQ(sql::execute(connection(), "UPDATE items SET id = id + 1000 WHERE id < ?", [](auto& st) { st, bind(10); }),
            10u);
  auto rows = connection().query("SELECT count(*) AS n FROM items", {});
  rows.moveFirst();
  EXPECT_EQ(sql::integer(rows, "n"), 300);
}

TEST_F(PostgresStatementsTest, AKeptStatementOutlivesARolledBackTransactionAndAReconnect) {
  const std::string select = "SELECT ?::bigint * 3 AS n";
  auto triple = [&](int value) {
    auto rows = sql::query(connection(), select, [&](auto& st) { st, bind(value); });
    rows.moveFirst();
    return sql::integer(rows, "n");
  };
  connection().executeTogether({"BEGIN"});
  EXPECT_EQ(triple(1), 3);  // prepared inside the transaction
  connection().executeTogether({"ROLLBACK"});
  EXPECT_EQ(triple(2), 6);

  // A new backend has none of the old one's statements: they are prepared again.
  EXPECT_GE(database_.terminateConnections(), 1);
  EXPECT_THROW(triple(3), Poco::Exception);
  EXPECT_FALSE(kept_->session.isConnected());
  kept_->reconnect();
  EXPECT_EQ(triple(4), 12);
}

TEST_F(PostgresStatementsTest, StatementsSentTogetherRunInOrderAndTheFirstFailureStopsThem) {
  connection().executeTogether({"CREATE TABLE steps (n BIGINT)", "INSERT INTO steps VALUES (1)"});
  EXPECT_THROW(connection().executeTogether({"INSERT INTO steps VALUES (2)", "SELECT * FROM no_such_table",
                                             "INSERT INTO steps VALUES (3)"}),
               Poco::Data::DataException);
  // One message is one implicit transaction: the failure took its first insert back too.
  auto rows = connection().query("SELECT count(*) AS n FROM steps", {});
  rows.moveFirst();
  EXPECT_EQ(sql::integer(rows, "n"), 1);
}

TEST_F(PostgresStatementsTest, WritesSentWithoutWaitingRunInOrderBeforeTheNextStatement) {
  connection().execute("CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT)", {});
  for (int i = 1; i <= 3; ++i) {
    sql::executeLater(connection(), "INSERT INTO items (id, label) VALUES (?, ?)",
                      [&](auto& st) { st, bind(i), bind("item " + std::to_string(i)); });
  }
  auto rows = connection().query("SELECT count(*) AS n, max(label) AS last FROM items", {});
  rows.moveFirst();
  EXPECT_EQ(sql::integer(rows, "n"), 3);
  EXPECT_EQ(sql::text(rows, "last"), "item 3");
}

TEST_F(PostgresStatementsTest, AFailedWriteSentWithoutWaitingIsThrownByTheNextCallAndSkipsWhatFollowedIt) {
  connection().execute("CREATE TABLE items (id BIGINT PRIMARY KEY)", {});
  connection().execute("INSERT INTO items (id) VALUES (1)", {});
  sql::executeLater(connection(), "INSERT INTO items (id) VALUES (?)", [](auto& st) { st, bind(1); });
  sql::executeLater(connection(), "INSERT INTO items (id) VALUES (?)", [](auto& st) { st, bind(2); });
  try {
    connection().executeTogether({"SELECT 1"});
    FAIL() << "the duplicate key must be thrown";
  } catch (const sql::UnansweredStatementFailed& error) {
    EXPECT_NE(error.message().find("SQLSTATE 23505"), std::string::npos) << error.message();
  }
  // Without BEGIN a pipeline is one implicit transaction, gone with its failure; id 2 came
  // after the failure and never ran. The connection goes on.
  auto rows = connection().query("SELECT count(*) AS n FROM items", {});
  rows.moveFirst();
  EXPECT_EQ(sql::integer(rows, "n"), 1);
}

TEST_F(PostgresStatementsTest, AWorkWhoseUnansweredWriteFailsIsRolledBackAloneByTheGroupCommitter) {
  connection().execute("CREATE TABLE items (id BIGINT PRIMARY KEY)", {});
  kept_.reset();
  GroupCommitter committer(Poco::Data::Session("PostgreSQL", database_.connectionString()));
  auto insert = [](std::vector<int> ids) {
    return [ids](sql::Connection& session) {
      for (int id : ids) sql::executeLater(session, "INSERT INTO items (id) VALUES (?)", [&](auto& st) { st, bind(id); });
    };
  };
  // Posted together, they usually share a batch; alone or together, the outcome is the same.
  std::vector<std::promise<bool>> outcomes(3);
  committer.post(insert({1}), [&](std::exception_ptr failure) { outcomes[0].set_value(!failure); });
  committer.post(insert({2, 2}), [&](std::exception_ptr failure) { outcomes[1].set_value(!failure); });
  committer.post(insert({3}), [&](std::exception_ptr failure) { outcomes[2].set_value(!failure); });
  EXPECT_TRUE(outcomes[0].get_future().get());
  EXPECT_FALSE(outcomes[1].get_future().get());
  EXPECT_TRUE(outcomes[2].get_future().get());
  committer.run([](sql::Connection& session) {
    auto rows = session.query("SELECT string_agg(id::text, ',' ORDER BY id) AS ids FROM items", {});
    rows.moveFirst();
    EXPECT_EQ(sql::text(rows, "ids"), "1,3");
  });
}

TEST_F(PostgresStatementsTest, AWriterConnectionLeftInPipelineModeIsOpenedAgainForTheNextWork) {
  kept_.reset();
  GroupCommitter committer(Poco::Data::Session("PostgreSQL", database_.connectionString()));
  EXPECT_ANY_THROW(committer.run(leaveInPipelineMode));
  EXPECT_EQ(committer.run(seven), 7) << "the next work had a connection that serves";
}

TEST_F(PostgresStatementsTest, AReaderLeftInPipelineModeIsOpenedAgainForTheNextLease) {
  KeptReaders readers("PostgreSQL", database_.connectionString(), 1);
  {
    auto lease = readers.acquire(std::chrono::seconds(5));
    leaveInPipelineMode(lease.connection());
    EXPECT_FALSE(lease.usable());
  }
  auto lease = readers.acquire(std::chrono::seconds(5));  // the one connection, given back
  EXPECT_TRUE(lease.usable());
  EXPECT_EQ(seven(lease.connection()), 7);
}

TEST_F(PostgresStatementsTest, TheDatabaseClockFollowsTheServersClock) {
  Micros previous = 0;
  for (int i = 0; i < 50; ++i) {
    Micros estimated = sql::databaseNow(connection());
    auto rows = connection().query("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now", {});
    rows.moveFirst();
    const Micros server = sql::integer(rows, "now");
    EXPECT_LE(estimated, server + 1000) << "read " << i;  // the server's clock is read after
    EXPECT_LT(server - estimated, 250'000) << "read " << i;
    EXPECT_GE(estimated, previous);
    previous = estimated;
  }
}

}  // namespace
}  // namespace hookhost::storage
