// The SQL placeholder rewriter (issue 13): PostgreSQL gets `$1, $2…` for the `?` outside
// quoted literals; SQLite gets the text back as written.
#include <gtest/gtest.h>

#include "storage/sql_dialect.hpp"

namespace hookhost::storage::sql {
namespace {

TEST(SqlDialect, PostgresPlaceholdersAreNumberedInOrder) {
  EXPECT_EQ(forDialect(Dialect::Postgres, "UPDATE jobs SET state = ?, error = ? WHERE id = ?"),
            "UPDATE jobs SET state = $1, error = $2 WHERE id = $3");
}

TEST(SqlDialect, AQuestionMarkInsideALiteralIsLeftAlone) {
  EXPECT_EQ(forDialect(Dialect::Postgres, "SELECT '?' || ? FROM t WHERE a = 'it''s ?' AND b = ?"),
            "SELECT '?' || $1 FROM t WHERE a = 'it''s ?' AND b = $2");
}

TEST(SqlDialect, NumbersPastNineAreWhole) {
  std::string sql = "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  EXPECT_EQ(forDialect(Dialect::Postgres, sql), "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
}

TEST(SqlDialect, TextWithoutPlaceholdersIsUnchanged) {
  EXPECT_EQ(forDialect(Dialect::Postgres, "SELECT 1"), "SELECT 1");
  EXPECT_EQ(forDialect(Dialect::Postgres, ""), "");
}

TEST(SqlDialect, SqliteKeepsItsQuestionMarks) {
  const std::string sql = "SELECT * FROM jobs WHERE id = ? AND note = '?'";
  EXPECT_EQ(forDialect(Dialect::Sqlite, sql), sql);
}

TEST(SqlDialect, SqliteTakesTheWriteLockAtBegin) {
  EXPECT_STREQ(beginWrite(Dialect::Sqlite), "BEGIN IMMEDIATE");
}

}  // namespace
}  // namespace hookhost::storage::sql
