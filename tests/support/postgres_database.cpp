#include "postgres_database.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/URI.h>

namespace hookhost::testing {
namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

std::string keywords(const std::string& port, const std::string& database) {
  return "host=127.0.0.1 port=" + port + " user=hookhost dbname=" + database;
}

// The port of the fixture's server, read from the url file postgres_server.sh writes.
std::string serverPort() {
  std::ifstream in(HOOKHOST_TEST_POSTGRES_URL_FILE);
  std::string url;
  if (!(in >> url)) {
    throw std::runtime_error(
        "the PostgreSQL test server is not running; run this test through ctest, which starts the `postgres` "
        "fixture (no " HOOKHOST_TEST_POSTGRES_URL_FILE ")");
  }
  int port = Poco::URI(url).getPort();
  if (port <= 0) throw std::runtime_error("no port in " HOOKHOST_TEST_POSTGRES_URL_FILE ": " + url);
  return std::to_string(port);
}

Poco::Data::Session adminSession(const std::string& port) {
  // Registering again only counts a reference, so every object may do it.
  Poco::Data::PostgreSQL::Connector::registerConnector();
  return Poco::Data::Session(Poco::Data::PostgreSQL::Connector::KEY, keywords(port, "postgres"));
}

// Clients only: an autovacuum worker may visit the database and is not a connection.
std::string clientBackends(const std::string& database) {
  return "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = '" + database + "'";
}

// Unique across the processes ctest runs at once and across objects in one process; the
// random part keeps a reused pid from meeting a database a crashed run left behind.
std::string uniqueName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  std::ostringstream name;
  name << "hh_test_" << ::getpid() << '_' << counter++ << '_' << std::hex << random();
  return name.str();
}

}  // namespace

PostgresDatabase::PostgresDatabase() : port_(serverPort()), name_(uniqueName()), admin_(adminSession(port_)) {
  admin_ << "CREATE DATABASE \"" + name_ + "\"", now;
}

PostgresDatabase::~PostgresDatabase() {
  try {
    // FORCE terminates the connections a test left open, as the drop needs.
    admin_ << "DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)", now;
  } catch (...) {
    // Nothing to do: the fixture's cleanup removes the whole server with its databases.
  }
}

std::string PostgresDatabase::url() const { return "postgresql://hookhost@127.0.0.1:" + port_ + "/" + name_; }

std::string PostgresDatabase::connectionString() const { return keywords(port_, name_); }

void PostgresDatabase::execute(const std::string& sql) const {
  Poco::Data::Session session(Poco::Data::PostgreSQL::Connector::KEY, connectionString());
  session << sql, now;
}

int PostgresDatabase::terminateConnections() {
  // MATERIALIZED pins the filter before the call, so no other backend can be hit; the
  // timeout makes pg_terminate_backend wait for the exit, so connectionCount() is 0 after.
  Poco::Int64 terminated = 0;
  admin_ << "WITH victims AS MATERIALIZED (" + clientBackends(name_) +
                " AND pid <> pg_backend_pid()) SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM victims",
      into(terminated), now;
  return static_cast<int>(terminated);
}

int PostgresDatabase::connectionCount() {
  Poco::Int64 count = 0;
  admin_ << "SELECT count(*) FROM (" + clientBackends(name_) + ") c", into(count), now;
  return static_cast<int>(count);
}

}  // namespace hookhost::testing
