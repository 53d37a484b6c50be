#include "registry/python_fields.hpp"

#include <regex>

namespace hookhost::registry {
namespace {

Error invalid(const std::string& field, const std::string& message) {
  return makeError(ErrorKind::Unprocessable, "invalid_" + field, field + ": " + message);
}

}  // namespace

Status parsePythonFields(const nlohmann::json& body, storage::HandlerSpec& spec) {
  static const std::regex pythonVersion(R"(^(\d{1,3})\.(\d{1,3})(\.\d{1,4}[A-Za-z0-9+.]{0,16})?$)");
  static const std::regex dillVersion(R"(^[0-9][A-Za-z0-9.+\-]{0,40}$)");
  if (auto found = body.find("python_version"); found != body.end() && !found->is_null()) {
    std::smatch match;
    const std::string text = found->is_string() ? found->get<std::string>() : "";
    if (!std::regex_match(text, match, pythonVersion)) {
      return invalid("python_version", "must be the Python version the pickle was made with, such as \"3.11\"");
    }
    spec.pythonVersion = match[1].str() + "." + match[2].str();
  }
  if (auto found = body.find("dill_version"); found != body.end() && !found->is_null()) {
    if (!found->is_string() || !std::regex_match(found->get<std::string>(), dillVersion)) {
      return invalid("dill_version", "must be a dill version such as \"0.3.6\"");
    }
  }
  return Ok{};
}

}  // namespace hookhost::registry
