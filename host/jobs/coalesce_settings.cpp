#include "jobs/coalesce_settings.hpp"

namespace hookhost::jobs {
namespace {

constexpr std::size_t kMaxKeyPointers = 16;
constexpr double kMaxWindowS = 7 * 86'400.0;

Error invalid(const std::string& part, const std::string& message) {
  return makeError(ErrorKind::Unprocessable, "invalid_coalesce", "coalesce" + part + ": " + message);
}

Result<double> seconds(const nlohmann::json& value, const char* name, double fallback) {
  auto it = value.find(name);
  if (it == value.end() || it->is_null()) return fallback;
  if (!it->is_number()) return invalid(std::string(".") + name, "must be a number of seconds");
  double s = it->get<double>();
  if (!(s > 0) || s > kMaxWindowS) {
    return invalid(std::string(".") + name, "must be more than 0 and at most " + std::to_string(int(kMaxWindowS)) + " seconds");
  }
  return s;
}

}  // namespace

Result<CoalesceSettings> parseCoalesce(const nlohmann::json& value) {
  if (!value.is_object()) {
    return invalid("", "must be an object {\"key\": [JSON Pointers], \"quiet_s\", \"max_wait_s\", \"after_chain\"}");
  }
  for (const auto& [name, member] : value.items()) {
    if (name != "key" && name != "quiet_s" && name != "max_wait_s" && name != "after_chain") {
      return invalid("." + name, "is not a coalesce setting (key, quiet_s, max_wait_s, after_chain)");
    }
  }
  CoalesceSettings settings;
  auto key = value.find("key");
  if (key == value.end() || !key->is_array() || key->empty() || key->size() > kMaxKeyPointers) {
    return invalid(".key", "must be a list of 1 to " + std::to_string(kMaxKeyPointers) + " JSON Pointers");
  }
  for (std::size_t i = 0; i < key->size(); ++i) {
    const auto& pointer = (*key)[i];
    const std::string where = ".key[" + std::to_string(i) + "]";
    if (!pointer.is_string() || pointer.get<std::string>().empty() || pointer.get<std::string>()[0] != '/') {
      return invalid(where, "must be a JSON Pointer such as \"/genome\"");
    }
    try {
      nlohmann::json::json_pointer parsed(pointer.get<std::string>());
    } catch (const nlohmann::json::exception&) {
      return invalid(where, "'" + pointer.get<std::string>() + "' is not a valid JSON Pointer (RFC 6901)");
    }
    settings.key.push_back(pointer.get<std::string>());
  }
  auto quiet = seconds(value, "quiet_s", settings.quietS);
  if (!quiet) return quiet.error();
  auto maxWait = seconds(value, "max_wait_s", std::max(settings.maxWaitS, *quiet));
  if (!maxWait) return maxWait.error();
  if (*maxWait < *quiet) return invalid(".max_wait_s", "must not be less than quiet_s");
  settings.quietS = *quiet;
  settings.maxWaitS = *maxWait;
  if (auto after = value.find("after_chain"); after != value.end() && !after->is_null()) {
    if (!after->is_boolean()) return invalid(".after_chain", "must be true or false");
    settings.afterChain = after->get<bool>();
  }
  return settings;
}

nlohmann::json coalesceToJson(const CoalesceSettings& settings) {
  return {{"key", settings.key},
          {"quiet_s", settings.quietS},
          {"max_wait_s", settings.maxWaitS},
          {"after_chain", settings.afterChain}};
}

std::optional<CoalesceSettings> coalesceFromText(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  auto settings = parseCoalesce(parsed);
  if (!settings) return std::nullopt;
  return *settings;
}

CoalesceKey coalesceKeyOf(const CoalesceSettings& settings, const nlohmann::json& payload) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& pointer : settings.key) {
    try {
      nlohmann::json::json_pointer at(pointer);
      if (!payload.contains(at)) return {std::nullopt, pointer};
      values.push_back(payload.at(at));
    } catch (const nlohmann::json::exception&) {
      return {std::nullopt, pointer};  // e.g. "/x" into an array
    }
  }
  return {values.dump(), ""};
}

}  // namespace hookhost::jobs
