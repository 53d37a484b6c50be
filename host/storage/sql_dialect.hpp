#pragma once

#include <string>

#include <Poco/Data/Session.h>


namespace hookhost::storage::sql {

/// The two databases a store can live in. The store's SQL is written once, with `?`
/// placeholders and SQLite's types; what differs is confined to the functions below.
enum class Dialect { Sqlite, Postgres };

Dialect dialectOf(Poco::Data::Session& session);

/// Poco 1.11's PostgreSQL connector passes the text to libpq as is, which wants `$1, $2…`;
/// this numbers the `?` placeholders outside quoted literals. Other dialects get `sql` back.
std::string forDialect(Dialect dialect, const std::string& sql);

/// The statement that opens a write transaction. SQLite takes the write lock at once
/// (IMMEDIATE), so a batch never fails half way for want of it.
const char* beginWrite(Dialect dialect);

/// Table definitions are written for SQLite; on PostgreSQL integer columns become BIGINT
/// (timestamps are microseconds) and AUTOINCREMENT keys become BIGSERIAL.
std::string schemaStatement(Dialect dialect, const std::string& sqliteDdl);

/// Appended to a SELECT that picks rows to change: on PostgreSQL the rows are locked and
/// rows another host holds are skipped, so hosts claiming at once take different rows.
/// SQLite has one writer, which is the lock.
const char* lockAndSkipLocked(Dialect dialect);

/// Appended to a SELECT whose rows the transaction goes on to change on the strength of
/// what it read (a state check, then an update): on PostgreSQL it locks them, so another
/// host's transaction cannot change them in between. SQLite's single writer already does.
const char* lockForUpdate(Dialect dialect);

}  // namespace hookhost::storage::sql
