#pragma once

#include <string>

#include <Poco/Data/Session.h>

namespace hookhost::testing {

/// A fresh, uniquely named database on the PostgreSQL server of the `postgres` CTest
/// fixture (tests/support/postgres_server.sh), dropped with its connections at destruction.
/// A test that uses it needs `FIXTURES_REQUIRED postgres`. One object per test; not
/// thread-safe, though the database itself takes any number of connections.
class PostgresDatabase {
 public:
  /// Throws std::runtime_error when the fixture's server is not running, and Poco's
  /// exceptions when the database cannot be created.
  PostgresDatabase();
  /// Terminates the remaining connections and drops the database; never throws.
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  /// hh_test_<pid>_<counter>_<random>
  const std::string& name() const { return name_; }
  /// postgresql://hookhost@127.0.0.1:PORT/NAME, what `data.url` takes.
  std::string url() const;
  /// libpq key=value form, what Poco::Data::Session("PostgreSQL", …) takes (Poco 1.11
  /// rejects the URL form).
  std::string connectionString() const;

  /// Runs one statement on a connection of its own (closed before returning). Poco 1.11's
  /// PostgreSQL connector does not translate `?`: write literals or `$1`.
  void execute(const std::string& sql) const;
  /// Terminates every connection to this database (waiting until each is gone) and
  /// returns how many there were: a server restart or network cut, as seen by a client.
  int terminateConnections();
  /// Connections currently open to this database.
  int connectionCount();

 private:
  std::string port_;
  std::string name_;
  Poco::Data::Session admin_;  // to the `postgres` database, never to ours
};

}  // namespace hookhost::testing
