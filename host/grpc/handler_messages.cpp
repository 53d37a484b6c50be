#include "grpc/handler_messages.hpp"

#include <string>

#include "common/webhook_secret.hpp"

namespace hookhost::grpc {
namespace {

constexpr std::int64_t kNanosPerMicro = 1000;

Error invalidBlob(const std::string& message) {
  return makeError(ErrorKind::Unprocessable, "invalid_blob", "blob: " + message);
}

}  // namespace

Result<nlohmann::json> registrationBody(const eventprocapi::Registration& registration, std::size_t maxCodeBytes) {
  const std::string& blob = registration.blob();
  if (blob.empty()) return invalidBlob("is required: the dill pickle of the handler function");
  // The store keeps the base64 of the pickle (4 characters per 3 bytes), bounded by maxCodeBytes.
  const std::size_t maxBlobBytes = maxCodeBytes / 4 * 3;
  if (blob.size() > maxBlobBytes) {
    return invalidBlob("is larger than " + std::to_string(maxBlobBytes) + " bytes");
  }
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& tag : registration.tags()) tags.push_back(tag);
  return nlohmann::json{
      {"name", registration.name()},
      {"hook", registration.hook()},
      {"tags", tags},
      {"notify_on_success", registration.notify_on_success()},
      {"notify_on_failure", registration.notify_on_failure()},
      {"runtime", "python"},
      {"code", base64Encode(blob)},
  };
}

void fillHandler(const storage::Handler& handler, eventprocapi::Handler& out) {
  const storage::HandlerSpec& spec = handler.spec;
  out.set_id(static_cast<std::int32_t>(handler.id));
  out.set_hook(spec.hook);
  out.set_name(spec.name);
  out.set_version(handler.version);
  if (spec.runtime == Runtime::Plugin) out.set_callable(spec.plugin);
  for (const auto& tag : spec.tags) out.add_tag(tag);
  out.set_notify_on_success(spec.notifyOnSuccess);
  out.set_notify_on_failure(spec.notifyOnFailure);
  out.set_created_by(handler.createdBy);
  out.set_created_at(handler.createdAt * kNanosPerMicro);
  out.set_updated_by(handler.updatedBy);
  out.set_updated_at(handler.updatedAt * kNanosPerMicro);
}

}  // namespace hookhost::grpc
