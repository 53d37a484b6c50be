#include "postgres_database.hpp"

#include <memory>
#include <optional>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <gtest/gtest.h>

namespace hookhost::testing {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

Poco::Data::Session connect(const std::string& connection) {
  return Poco::Data::Session(Poco::Data::PostgreSQL::Connector::KEY, connection);
}

Poco::Int64 queryCount(Poco::Data::Session& session, const std::string& sql) {
  Poco::Int64 count = -1;
  session << sql, into(count), now;
  return count;
}

TEST(PostgresDatabaseTest, TwoDatabasesAreDistinctAndUsable) {
  PostgresDatabase first;
  PostgresDatabase second;
  EXPECT_NE(first.name(), second.name());
  EXPECT_TRUE(first.url().starts_with("postgresql://hookhost@127.0.0.1:"));
  EXPECT_TRUE(first.url().ends_with("/" + first.name()));

  first.execute("CREATE TABLE marks (id integer)");
  first.execute("INSERT INTO marks VALUES (7)");
  second.execute("CREATE TABLE marks (id integer)");

  auto mine = connect(first.connectionString());
  EXPECT_EQ(queryCount(mine, "SELECT count(*) FROM marks WHERE id = 7"), 1);
  auto other = connect(second.connectionString());
  EXPECT_EQ(queryCount(other, "SELECT count(*) FROM marks"), 0);
}

TEST(PostgresDatabaseTest, TerminateConnectionsClosesEveryClient) {
  PostgresDatabase database;
  auto one = connect(database.connectionString());
  auto two = connect(database.connectionString());
  EXPECT_EQ(database.connectionCount(), 2);

  EXPECT_EQ(database.terminateConnections(), 2);
  EXPECT_EQ(database.connectionCount(), 0);
  EXPECT_THROW(queryCount(one, "SELECT 1"), Poco::Data::PostgreSQL::PostgreSQLException);

  // The database itself survives: new connections work.
  database.execute("CREATE TABLE after_cut (id integer)");
  auto three = connect(database.connectionString());
  EXPECT_EQ(queryCount(three, "SELECT count(*) FROM after_cut"), 0);
}

TEST(PostgresDatabaseTest, DatabaseIsGoneAfterDestruction) {
  PostgresDatabase witness;
  auto observer = connect(witness.connectionString());
  auto database = std::make_unique<PostgresDatabase>();
  const std::string exists = "SELECT count(*) FROM pg_database WHERE datname = '" + database->name() + "'";
  ASSERT_EQ(queryCount(observer, exists), 1);

  // A connection the test forgot to close must not keep the database alive.
  std::optional<Poco::Data::Session> leftOpen = connect(database->connectionString());
  database.reset();
  EXPECT_EQ(queryCount(observer, exists), 0);
}

}  // namespace
}  // namespace hookhost::testing
