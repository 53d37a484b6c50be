#include "sandbox/src/worker_protocol.hpp"

#include <sstream>

#include <Poco/Base64Encoder.h>

namespace hookhost::sandbox {

nlohmann::json runMessageFor(const dispatch::RunRequest& request) {
  nlohmann::json message = {{"type", "run"},
          {"job",
           {{"job_id", request.jobId},
            {"event_id", request.eventId},
            {"hook", request.hook},
            {"user", request.user},
            {"attempt", request.attempt},
            {"handler", request.handlerName},
            {"handler_id", request.handlerId},
            {"handler_version", request.handlerVersion},
            {"event_at", request.eventAt}}},
          {"config", request.config.is_object() ? request.config : nlohmann::json::object()},
          {"payload", request.payload}};
  // A coalesced job's gathered events; the runner makes the one event of any other job.
  if (!request.events.is_null()) message["job"]["events"] = request.events;
  return message;
}

std::string base64Encode(std::string_view bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);  // one line: the frame is JSON, not a MIME body
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

}  // namespace hookhost::sandbox
