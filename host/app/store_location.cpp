#include "app/store_location.hpp"

#include "storage/sql_store.hpp"

namespace hookhost::app {

std::unique_ptr<storage::Store> openStore(const Config& config) {
  std::filesystem::path dataDir = config.text("data.dir");
  std::string url = config.text("data.url");
  if (url.empty()) return storage::SqlStore::openSqlite(dataDir / "hookhost.db");
  const std::string sqlite = "sqlite://";
  if (url.rfind(sqlite, 0) == 0) return storage::SqlStore::openSqlite(url.substr(sqlite.size()));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    try {
      return storage::SqlStore::openPostgres(url);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(error.what());
    }
  }
  throw ConfigError("data.url: '" + url + "' is neither sqlite://PATH nor postgresql://…");
}

}  // namespace hookhost::app
