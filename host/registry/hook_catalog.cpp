#include "registry/hook_catalog.hpp"

#include <fstream>
#include <iterator>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "common/bounded_json.hpp"

namespace hookhost::registry {
namespace {

std::string requireString(const nlohmann::json& doc, const char* key, const std::string& file) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw CatalogError(file + ": \"" + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

Hook readHookFile(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) throw CatalogError(file + ": cannot be read");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // The payload schema is walked recursively on every fire: bound it like any JSON the host reads.
  if (jsonNestingDepth(text) > kMaxJsonDepth) {
    throw CatalogError(file + ": nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw CatalogError(file + ": not valid JSON: " + error.what());
  }
  if (!doc.is_object()) throw CatalogError(file + ": must hold a JSON object");

  Hook hook;
  hook.name = requireString(doc, "name", file);
  hook.description = requireString(doc, "description", file);
  auto schema = doc.find("payload_schema");
  if (schema == doc.end() || !schema->is_object()) {
    throw CatalogError(file + ": \"payload_schema\" must be a JSON Schema object");
  }
  hook.payloadSchema = *schema;
  auto compiled = std::make_shared<valijson::Schema>();
  try {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(hook.payloadSchema);
    parser.populateSchema(adapter, *compiled);
  } catch (const std::exception& error) {
    throw CatalogError(file + ": invalid payload_schema: " + error.what());
  }
  hook.compiled = std::move(compiled);
  return hook;
}

std::string describe(const valijson::ValidationResults::Error& error) {
  std::string where;
  for (const auto& step : error.context) where += step;
  return where + ": " + error.description;
}

}  // namespace

HookCatalog HookCatalog::loadFromDirectory(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    throw CatalogError(directory.string() + ": hook catalog directory not found");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  HookCatalog catalog;
  for (const auto& file : files) {
    Hook hook = readHookFile(file);
    std::string name = hook.name;
    if (!catalog.hooks_.emplace(name, std::move(hook)).second) {
      throw CatalogError(file.string() + ": hook \"" + name + "\" is defined twice");
    }
  }
  return catalog;
}

const Hook* HookCatalog::find(const std::string& name) const {
  auto it = hooks_.find(name);
  return it == hooks_.end() ? nullptr : &it->second;
}

std::vector<const Hook*> HookCatalog::all() const {
  std::vector<const Hook*> list;
  for (const auto& [name, hook] : hooks_) list.push_back(&hook);
  return list;
}

Status HookCatalog::validatePayload(const std::string& hookName, const nlohmann::json& payload) const {
  const Hook* hook = find(hookName);
  if (!hook) return makeError(ErrorKind::NotFound, "unknown_hook", "no hook named '" + hookName + "'");
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(payload);
  if (validator.validate(*hook->compiled, target, &results)) return Ok{};

  // valijson reports the outer failure first and the precise cause last; show the cause.
  std::string message = "payload does not match the schema of '" + hookName + "'";
  valijson::ValidationResults::Error error;
  std::vector<std::string> findings;
  while (results.popError(error)) findings.push_back(describe(error));
  if (!findings.empty()) message += ": " + findings.back();
  if (findings.size() > 1) message += " (" + std::to_string(findings.size() - 1) + " more)";
  return makeError(ErrorKind::Unprocessable, "invalid_payload", message);
}

}  // namespace hookhost::registry
