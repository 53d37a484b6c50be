#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Data/Session.h>

namespace hookhost::storage {

/// A database written by a newer hookhost, or a migration that failed: start-up stops.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The schema version this binary writes.
int latestSchemaVersion();

/// Brings the database up to latestSchemaVersion(), one transaction per version. Refuses
/// (SchemaError) a database whose version is newer than this binary knows.
void migrate(Poco::Data::Session& session);

/// migrate() up to schema version `target` only (a database as an older hookhost left it,
/// for the tests of a later migration); a database at or past `target` is left as it is.
void migrateTo(Poco::Data::Session& session, int target);

}  // namespace hookhost::storage
