#include "apidocs/api_docs_page.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "apidocs/api_docs_style.hpp"

namespace hookhost::apidocs {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 5> kMethods = {"get", "post", "put", "patch", "delete"};

/// Backtick spans become <code>, blank lines paragraphs; everything else is escaped text.
std::string prose(const std::string& text) {
  std::string out = "<p>";
  bool inCode = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '`') {
      out += inCode ? "</code>" : "<code>";
      inCode = !inCode;
    } else if (c == '\n' && i + 1 < text.size() && text[i + 1] == '\n') {
      if (inCode) out += "</code>";
      inCode = false;
      out += "</p><p>";
      ++i;
    } else {
      out += escapeHtml(std::string_view(&text[i], 1));
    }
  }
  if (inCode) out += "</code>";
  return out + "</p>";
}

std::string refName(const std::string& ref) {
  auto slash = ref.rfind('/');
  return slash == std::string::npos ? ref : ref.substr(slash + 1);
}

std::string schemaLink(const std::string& name) {
  return "<a href=\"#schema-" + escapeHtml(name) + "\">" + escapeHtml(name) + "</a>";
}

/// One line describing a schema: "array of Handler", "string (date-time)", "one of: a | b".
std::string typeOf(const json& schema) {
  if (!schema.is_object()) return "any";
  if (schema.contains("$ref")) return schemaLink(refName(schema["$ref"].get<std::string>()));
  if (schema.contains("allOf") && schema["allOf"].is_array() && schema["allOf"].size() == 1) {
    return typeOf(schema["allOf"][0]);
  }
  std::string type = schema.value("type", std::string("any"));
  std::string out;
  if (type == "array") {
    out = "array of " + typeOf(schema.value("items", json::object()));
  } else {
    out = escapeHtml(type);
    if (schema.contains("format")) out += " (" + escapeHtml(schema["format"].get<std::string>()) + ")";
  }
  if (schema.contains("enum")) {
    std::string values;
    for (const auto& value : schema["enum"]) {
      if (!values.empty()) values += " | ";
      values += "<code>" + escapeHtml(value.is_string() ? value.get<std::string>() : value.dump()) +
                "</code>";
    }
    out += ": " + values;
  }
  if (schema.value("nullable", false)) out += " or null";
  return out;
}

/// Follows a components/responses $ref so the page shows the real description and schema.
const json& resolve(const json& spec, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  std::string ref = node["$ref"].get<std::string>();
  json::json_pointer pointer(ref.substr(ref.find('#') + 1));
  if (!spec.contains(pointer)) return node;
  return spec.at(pointer);
}

std::string contentTable(const json& content) {
  std::string out;
  for (const auto& [mediaType, media] : content.items()) {
    out += "<div><code>" + escapeHtml(mediaType) + "</code> " +
           typeOf(media.value("schema", json::object())) + "</div>";
    if (media.contains("example")) {
      out += "<pre>" + escapeHtml(media["example"].dump(2)) + "</pre>";
    }
    if (media.contains("examples")) {
      for (const auto& [name, example] : media["examples"].items()) {
        out += "<div>Example <em>" + escapeHtml(example.value("summary", name)) + "</em>:</div><pre>" +
               escapeHtml(example.value("value", json()).dump(2)) + "</pre>";
      }
    }
  }
  return out;
}

std::string parametersTable(const json& parameters) {
  std::string out =
      "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>";
  for (const auto& parameter : parameters) {
    out += "<tr><td><code>" + escapeHtml(parameter.value("name", "")) + "</code>";
    if (parameter.value("required", false)) out += " <span class=\"req\">required</span>";
    out += "</td><td>" + escapeHtml(parameter.value("in", "")) + "</td><td>" +
           typeOf(parameter.value("schema", json::object())) + "</td><td>" +
           escapeHtml(parameter.value("description", "")) + "</td></tr>";
  }
  return out + "</table>";
}

std::string operationHtml(const json& spec, const std::string& path, const std::string& method,
                          const json& operation, const json& pathParameters) {
  bool isPublic = operation.contains("security") && operation["security"].empty();
  std::string anchor = "op-" + operation.value("operationId", method + path);
  std::string out = "<section class=\"op\" id=\"" + escapeHtml(anchor) + "\"><header>";
  out += "<span class=\"method " + method + "\">" + method + "</span>";
  out += "<span class=\"path\">" + escapeHtml(path) + "</span>";
  out += "<h3>" + escapeHtml(operation.value("summary", "")) + "</h3>";
  out += isPublic ? "<span class=\"public\">no auth</span>"
                  : "<span class=\"public\">Bearer auth</span>";
  out += "</header>";
  if (operation.contains("description")) out += prose(operation["description"].get<std::string>());

  json parameters = pathParameters.is_array() ? pathParameters : json::array();
  for (const auto& parameter : operation.value("parameters", json::array())) {
    parameters.push_back(parameter);
  }
  if (!parameters.empty()) out += parametersTable(parameters);

  if (operation.contains("requestBody")) {
    const json& body = resolve(spec, operation["requestBody"]);
    out += "<h4>Request body" +
           std::string(body.value("required", false) ? " <span class=\"req\">required</span>" : "") +
           "</h4>";
    if (body.contains("description")) out += prose(body["description"].get<std::string>());
    out += contentTable(body.value("content", json::object()));
  }

  out += "<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>body</th></tr>";
  // Held in locals: items() on a temporary would dangle inside the loop.
  const json responses = operation.value("responses", json::object());
  for (const auto& [status, reference] : responses.items()) {
    const json& response = resolve(spec, reference);
    const json content = response.value("content", json::object());
    std::string body;
    for (const auto& [mediaType, media] : content.items()) {
      body += "<code>" + escapeHtml(mediaType) + "</code> " +
              typeOf(media.value("schema", json::object())) + " ";
    }
    out += "<tr><td><code>" + escapeHtml(status) + "</code></td><td>" +
           escapeHtml(response.value("description", "")) + "</td><td>" + body + "</td></tr>";
  }
  return out + "</table></section>";
}

std::string schemaHtml(const std::string& name, const json& schema) {
  std::string out = "<section class=\"op\" id=\"schema-" + escapeHtml(name) + "\"><h3>" +
                    escapeHtml(name) + "</h3>";
  if (schema.contains("description")) out += prose(schema["description"].get<std::string>());
  if (!schema.contains("properties")) return out + "<div>" + typeOf(schema) + "</div></section>";
  json required = schema.value("required", json::array());
  out += "<table><tr><th>field</th><th>type</th><th>description</th></tr>";
  for (const auto& [field, property] : schema["properties"].items()) {
    bool isRequired = std::find(required.begin(), required.end(), field) != required.end();
    out += "<tr><td><code>" + escapeHtml(field) + "</code>" +
           (isRequired ? " <span class=\"req\">required</span>" : "") + "</td><td>" +
           typeOf(property) + "</td><td>" + escapeHtml(property.value("description", "")) +
           "</td></tr>";
  }
  return out + "</table></section>";
}

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

struct Operation {
  std::string path, method;
  const json* operation;
  const json* pathParameters;
};
using OperationGroups = std::vector<std::pair<std::string, std::vector<Operation>>>;

// The operations grouped by their first tag, in the order the document declares its tags;
// they point into `spec`, which must outlive them.
OperationGroups groupedOperations(const json& spec) {
  static const json kNoPaths = json::object();
  const json& paths = spec.contains("paths") ? spec.at("paths") : kNoPaths;
  std::vector<std::string> tagOrder;
  for (const auto& tag : spec.value("tags", json::array())) tagOrder.push_back(tag.value("name", ""));
  OperationGroups groups;
  auto groupFor = [&](const std::string& tag) -> std::vector<Operation>& {
    for (auto& group : groups) {
      if (group.first == tag) return group.second;
    }
    groups.emplace_back(tag, std::vector<Operation>{});
    return groups.back().second;
  };
  for (const auto& tag : tagOrder) groupFor(tag);
  for (const auto& [path, item] : paths.items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      const json& operation = item[method];
      std::string tag = operation.contains("tags") && !operation["tags"].empty()
                            ? operation["tags"][0].get<std::string>()
                            : "other";
      const json* shared = item.contains("parameters") ? &item["parameters"] : nullptr;
      groupFor(tag).push_back(Operation{path, method, &operation, shared});
    }
  }
  return groups;
}

}  // namespace

std::string renderApiDocsHtml(const json& spec) {
  const json info = spec.value("info", json::object());
  std::string title = info.value("title", "API") + " v" + info.value("version", "");

  const OperationGroups groups = groupedOperations(spec);

  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>" + escapeHtml(title) + "</title><style>" + kStyle +
                    "</style></head><body><main>";
  out += "<h1>" + escapeHtml(title) + "</h1>";
  out += "<p>OpenAPI " + escapeHtml(spec.value("openapi", "")) +
         " &middot; machine-readable: <a href=\"openapi.json\">openapi.json</a></p>";
  if (info.contains("description")) out += prose(info["description"].get<std::string>());

  out += "<nav><h2>Operations</h2><ul>";
  for (const auto& [tag, operations] : groups) {
    for (const auto& op : operations) {
      std::string anchor = "op-" + op.operation->value("operationId", op.method + op.path);
      out += "<li><a href=\"#" + escapeHtml(anchor) + "\"><code>" + op.method + " " +
             escapeHtml(op.path) + "</code></a> " +
             escapeHtml(op.operation->value("summary", "")) + "</li>";
    }
  }
  out += "</ul></nav>";

  for (const auto& [tag, operations] : groups) {
    if (operations.empty()) continue;
    out += "<h2>" + escapeHtml(tag) + "</h2>";
    for (const auto& tagInfo : spec.value("tags", json::array())) {
      if (tagInfo.value("name", "") == tag && tagInfo.contains("description")) {
        out += prose(tagInfo["description"].get<std::string>());
      }
    }
    for (const auto& op : operations) {
      out += operationHtml(spec, op.path, op.method, *op.operation,
                           op.pathParameters ? *op.pathParameters : json());
    }
  }

  const json components = spec.value("components", json::object());
  if (components.contains("securitySchemes")) {
    out += "<h2>Authentication</h2>";
    for (const auto& [name, scheme] : components["securitySchemes"].items()) {
      out += "<p><code>" + escapeHtml(name) + "</code>: " + escapeHtml(scheme.value("type", "")) +
             " " + escapeHtml(scheme.value("scheme", "")) + ". " +
             escapeHtml(scheme.value("description", "")) + "</p>";
    }
  }
  out += "<h2>Schemas</h2>";
  const json schemas = components.value("schemas", json::object());
  for (const auto& [name, schema] : schemas.items()) {
    out += schemaHtml(name, schema);
  }
  return out + "</main></body></html>\n";
}

}  // namespace hookhost::apidocs
