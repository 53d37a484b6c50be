#include "storage/postgres_url.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace hookhost::storage {
namespace {

// libpq's quoting: single quotes around values with spaces or quotes, backslash escapes.
std::string quoted(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\") == std::string::npos) return value;
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
    text += " user=" + quoted(user);
    if (colon != std::string::npos) {
      Poco::URI::decode(userInfo.substr(colon + 1), password);
      text += " password=" + quoted(password);
    }
  }
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key.empty() || key.find_first_of(" ='") != std::string::npos) return badUrl("bad option '" + key + "'");
    text += " " + key + "=" + quoted(value);
  }
  return text;
}

}  // namespace hookhost::storage
