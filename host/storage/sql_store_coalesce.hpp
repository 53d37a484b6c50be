#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "storage/records.hpp"
#include "storage/sql_connection.hpp"

namespace hookhost::storage {

/// An events row (SELECT *) as the record.
Event eventFromRow(const sql::Rows& rows);
/// A coalesced job's events, oldest first: [{"event_id", "hook", "payload", "at"}].
nlohmann::json gatheredEvents(sql::Connection& session, std::int64_t jobId);
/// How many jobs, other than `jobId` and PENDING ones, of the chains of `jobId`'s gathered
/// events are not terminal yet.
std::int64_t openJobsInChains(sql::Connection& session, std::int64_t jobId);

/// For a failure email: the chain `eventId` belongs to, as outbox::Notification::chain
/// has it; null when the job was the chain's only one.
nlohmann::json chainReportOf(sql::Connection& session, std::int64_t eventId);

}  // namespace hookhost::storage
