// data.url in its PostgreSQL form, as Poco's connector needs it (issue 7).
#include <gtest/gtest.h>

#include "storage/postgres_url.hpp"

namespace hookhost::storage {
namespace {

TEST(PostgresUrl, BecomesAKeyValueConnectionString) {
  EXPECT_EQ(*postgresConnectionString("postgresql://hookhost:s3cret@db.example:6543/jobs"),
            "host=db.example port=6543 dbname=jobs user=hookhost password=s3cret connect_timeout=10 "
            "options=-cidle_in_transaction_session_timeout=15000");
  EXPECT_EQ(*postgresConnectionString("postgres://10.0.0.5/hookhost?connect_timeout=3"),
            "host=10.0.0.5 port=5432 dbname=hookhost connect_timeout=3 "
            "options=-cidle_in_transaction_session_timeout=15000");
}

TEST(PostgresUrl, DecodesAndQuotesWhatLibpqWouldMisread) {
  EXPECT_EQ(*postgresConnectionString("postgresql://app:it%27s%2Fme@h/db?sslmode=require&application_name=hookhost"),
            "host=h port=5432 dbname=db user=app password='it\\'s/me' sslmode=require application_name=hookhost "
            "connect_timeout=10 options=-cidle_in_transaction_session_timeout=15000");
}

TEST(PostgresUrl, RefusesASpaceWhichPocoWouldSplitAt) {
  auto refused = postgresConnectionString("postgresql://app:two%20words@h/db");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the password contains a space"), std::string::npos);
  EXPECT_NE(refused.error().message.find("PGPASSWORD"), std::string::npos);
}

TEST(PostgresUrl, RefusesWhatIsNotAPostgresUrlWithTheReason) {
  EXPECT_NE(postgresConnectionString("mysql://h/db").error().message.find("the scheme is not postgresql"),
            std::string::npos);
  EXPECT_NE(postgresConnectionString("postgresql:///db").error().message.find("no host"), std::string::npos);
  EXPECT_NE(postgresConnectionString("postgresql://h").error().message.find("no database name"), std::string::npos);
  EXPECT_NE(postgresConnectionString("postgresql://h/db?bad key=1").error().message.find("bad option"),
            std::string::npos);
}

TEST(PostgresUrl, MessagesShowItWithoutThePassword) {
  EXPECT_EQ(withoutPassword("postgresql://app:s3cret@db:5432/jobs"), "postgresql://app:***@db:5432/jobs");
  EXPECT_EQ(withoutPassword("postgresql://app@db/jobs"), "postgresql://app@db/jobs");
  EXPECT_EQ(withoutPassword("postgresql://db:5432/jobs"), "postgresql://db:5432/jobs");
}

}  // namespace
}  // namespace hookhost::storage
