#include "http/api_request.hpp"

namespace hookhost::http {

std::vector<std::string> ApiRequest::queryValues(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::optional<std::string> ApiRequest::queryValue(const std::string& name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

ApiReply jsonReply(int status, nlohmann::json body) {
  ApiReply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

ApiReply textReply(int status, std::string text, std::string contentType) {
  ApiReply reply;
  reply.status = status;
  reply.text = std::move(text);
  reply.contentType = std::move(contentType);
  return reply;
}

}  // namespace hookhost::http
