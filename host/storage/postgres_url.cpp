#include "storage/postgres_url.hpp"

#include <optional>

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace hookhost::storage {
namespace {

// libpq's quoting: single quotes around values with quotes or backslashes, escaped.
std::string quoted(const std::string& value) {
  if (!value.empty() && value.find_first_of("'\\") == std::string::npos) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Error badUrl(const std::string& why) {
  return makeError(ErrorKind::BadRequest, "bad_postgres_url",
                   "data.url: " + why + " (expected postgresql://user:password@host:port/database)");
}

// Poco 1.11 splits the connection string at spaces before libpq sees it, so no value can
// hold one, quoted or not.
std::optional<Error> spaceIn(const std::string& what, const std::string& value) {
  if (value.find_first_of(" \t") == std::string::npos) return std::nullopt;
  return badUrl(what + " contains a space, which Poco's PostgreSQL connector cannot pass on; "
                "leave it out of the URL and set PGPASSWORD or a ~/.pgpass entry instead");
}

}  // namespace

Result<std::string> postgresConnectionString(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& error) {
    return badUrl("not a URL: " + error.displayText());
  }
  if (uri.getScheme() != "postgresql" && uri.getScheme() != "postgres") return badUrl("the scheme is not postgresql");
  if (uri.getHost().empty()) return badUrl("no host");
  std::string database = uri.getPath();
  if (!database.empty() && database.front() == '/') database.erase(0, 1);
  if (database.empty() || database.find('/') != std::string::npos) return badUrl("no database name after the host");

  std::string text = "host=" + quoted(uri.getHost()) + " port=" + std::to_string(uri.getPort() ? uri.getPort() : 5432) +
                     " dbname=" + quoted(database);
  std::string userInfo = uri.getUserInfo();
  if (!userInfo.empty()) {
    auto colon = userInfo.find(':');
    std::string user, password;
    Poco::URI::decode(userInfo.substr(0, colon), user);
    if (auto error = spaceIn("the user name", user)) return *error;
    text += " user=" + quoted(user);
    if (colon != std::string::npos) {
      Poco::URI::decode(userInfo.substr(colon + 1), password);
      if (auto error = spaceIn("the password", password)) return *error;
      text += " password=" + quoted(password);
    }
  }
  if (auto error = spaceIn("the database name", database)) return *error;
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key.empty() || key.find_first_of(" ='") != std::string::npos) return badUrl("bad option '" + key + "'");
    if (auto error = spaceIn("option " + key, value)) return *error;
    text += " " + key + "=" + quoted(value);
  }
  // libpq waits for an unreachable server as long as the kernel does (minutes), and the
  // store's writer would wait with it.
  if (text.find(" connect_timeout=") == std::string::npos) text += " connect_timeout=10";
  // A host stopped (SIGSTOP, a frozen VM) inside a transaction would hold its row locks,
  // and with them its jobs, past any lease; the server ends such a session instead.
  if (text.find(" options=") == std::string::npos) text += " options=-cidle_in_transaction_session_timeout=15000";
  return text;
}

std::string withoutPassword(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace hookhost::storage
