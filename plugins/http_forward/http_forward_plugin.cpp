// http_forward: POSTs each event it handles (job info + payload) to a configured URL, so
// hookhost can chain into another service. A failure fails the job; job retries retry it.
#include <hookhost/plugin.hpp>

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "forward_request.hpp"

namespace {

using nlohmann::json;

json configValue(const hookhost::plugin::Context& ctx, const char* key) {
  auto text = ctx.config(key);
  if (!text) return json();
  return json::parse(*text, nullptr, false);
}

class HttpForward {
 public:
  std::string forward(hookhost::plugin::Context& ctx, const std::string& payloadJson) {
    hookhost::plugins::forward::ForwardRequest request;
    json url = configValue(ctx, "url");
    if (!url.is_string() || url.get<std::string>().empty()) {
      throw std::invalid_argument("config.url is required (the URL to POST events to)");
    }
    request.url = url.get<std::string>();
    json timeout = configValue(ctx, "timeout_ms");
    if (!timeout.is_null()) {
      if (!timeout.is_number_integer() || timeout.get<long long>() <= 0) {
        throw std::invalid_argument("config.timeout_ms must be a positive integer");
      }
      request.timeout = std::chrono::milliseconds(timeout.get<long long>());
    }
    json headers = configValue(ctx, "headers");
    if (headers.is_object()) {
      for (const auto& [name, value] : headers.items()) {
        if (value.is_string()) request.headers[name] = value.get<std::string>();
      }
    }
    // The same key on every attempt of a job lets the receiver drop a retry's duplicate.
    request.headers["Idempotency-Key"] = "hookhost-job-" + std::to_string(ctx.jobId());
    request.headers["X-Hookhost-Hook"] = std::string(ctx.hook());
    request.headers["X-Hookhost-Event"] = std::to_string(ctx.eventId());
    request.headers["X-Hookhost-Attempt"] = std::to_string(ctx.attempt());

    json payload = json::parse(payloadJson, nullptr, false);
    if (payload.is_discarded()) throw std::invalid_argument("the payload is not JSON");
    request.body = json{{"hook", ctx.hook()},
                        {"event_id", ctx.eventId()},
                        {"job_id", ctx.jobId()},
                        {"attempt", ctx.attempt()},
                        {"user", ctx.user()},
                        {"handler", ctx.registeredName()},
                        {"payload", std::move(payload)}}
                       .dump();
    auto response = hookhost::plugins::forward::postJson(request);
    std::string result = "POST " + request.url + " answered " + std::to_string(response.status) + " " + response.reason;
    if (!response.body.empty()) result += "\n\n" + response.body.substr(0, 4096);
    return result;
  }
};

}  // namespace

HOOKHOST_PLUGIN(HttpForward, "http_forward", "1.0.0",
                hookhost::plugin::handler("forward", &HttpForward::forward, {}, {},
                                          "POSTs the event and job info as JSON to config.url"))
