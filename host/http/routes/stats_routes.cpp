// GET /v1/stats: per time bucket, how many of the jobs the caller may read ended in each
// outcome and how long they ran (the console's overview chart).
#include "http/routes/repair_request.hpp"
#include "http/routes/route_support.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kDefaultRange = 3600 * kSecond;  // the last hour
constexpr std::int64_t kMaxBucketS = 86'400;
// A day of minutes: enough for any chart, and a bound on the answer and on its work.
constexpr Micros kMaxBuckets = 1440;

Error invalid(ErrorKind kind, const std::string& name, const std::string& message) {
  return makeError(kind, "invalid_" + name, name + ": " + message);
}

Status readTarget(const ApiRequest& request, const registry::HookCatalog& catalog, storage::StatsQuery& query) {
  if (auto hook = request.queryValue("hook")) {
    if (!catalog.contains(*hook)) {
      return unknownHook(*hook);
    }
    query.hook = *hook;
  }
  if (auto text = request.queryValue("handler_id")) {
    query.handlerId = parseId(*text);
    if (!query.handlerId) return invalid(ErrorKind::BadRequest, "handler_id", "must be a positive integer");
  }
  return Ok{};
}

// The range ends now and starts at `since` rounded down to a whole bucket, so consecutive
// requests draw the same buckets.
Status readRange(const ApiRequest& request, Micros now, storage::StatsQuery& query) {
  std::int64_t bucketS = 60;
  if (auto text = request.queryValue("bucket_s")) {
    auto parsed = parseId(*text);
    if (!parsed || *parsed > kMaxBucketS) {
      return invalid(ErrorKind::BadRequest, "bucket_s", "must be a whole number of seconds from 1 to 86400");
    }
    bucketS = *parsed;
  }
  query.bucketMicros = bucketS * kSecond;
  Micros since = now - kDefaultRange;
  if (auto text = request.queryValue("since")) {
    auto parsed = parseRfc3339(*text);
    if (!parsed) return invalid(ErrorKind::BadRequest, "since", "must be an RFC 3339 time such as 2026-12-01T23:00:00Z");
    if (*parsed >= now) return invalid(ErrorKind::Unprocessable, "since", "must be in the past");
    since = *parsed;
  }
  query.since = since - since % query.bucketMicros;
  query.until = now;
  if ((query.until - query.since) / query.bucketMicros >= kMaxBuckets) {
    return invalid(ErrorKind::Unprocessable, "range",
                   "since and bucket_s make more than " + std::to_string(kMaxBuckets) + " buckets; use larger buckets");
  }
  return Ok{};
}

nlohmann::json orNull(const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(); }

nlohmann::json statsToJson(const storage::JobStats& stats) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& bucket : stats.buckets) {
    buckets.push_back({{"at", formatRfc3339(bucket.at)}, {"succeeded", bucket.succeeded}, {"failed", bucket.failed},
                       {"timed_out", bucket.timedOut}, {"p50_ms", orNull(bucket.p50Ms)}, {"p95_ms", orNull(bucket.p95Ms)}});
  }
  return {{"buckets", buckets}, {"unfinished", stats.unfinished}};
}

}  // namespace

ApiReply getStats(const ApiRequest& request, Services& services) {
  storage::StatsQuery query;
  if (auto target = readTarget(request, services.catalog, query); !target) return errorReply(target.error());
  if (auto range = readRange(request, nowMicros(), query); !range) return errorReply(range.error());
  query.ownerId = listingOwner(request.caller());  // the reach of GET /v1/jobs
  return jsonReply(200, statsToJson(services.jobs.jobStats(query)));
}

}  // namespace hookhost::http
