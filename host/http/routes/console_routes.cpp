// GET /ui and GET /ui/{file}: the web console's static files (ui/ in the source tree,
// share/hookhost/ui beside the executable). Public: the files hold no data; every call the
// page makes carries the user's key.
#include <fstream>
#include <iterator>
#include <map>
#include <regex>

#include "http/error_reply.hpp"
#include "http/routes/routes.hpp"

namespace hookhost::http {
namespace {

// Everything the page runs comes from this host; no inline script or style, no framing.
constexpr const char* kConsolePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The path arrives decoded ("%2e%2e" is ".."), so the name itself is what is checked: a plain
// name of one of the console's kinds of file, with no separator, no "..", no hidden file.
std::optional<std::string> contentTypeOf(const std::string& name) {
  static const std::regex kPlainName("[a-z0-9][a-z0-9_-]*[.](html|css|js|svg)");
  static const std::map<std::string, std::string> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"svg", "image/svg+xml"},
  };
  std::smatch match;
  if (!std::regex_match(name, match, kPlainName)) return std::nullopt;
  return kTypes.at(match[1].str());
}

void addConsoleHeaders(ApiReply& reply) {
  reply.headers.emplace_back("Content-Security-Policy", kConsolePolicy);
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("X-Frame-Options", "DENY");  // frame-ancestors for older browsers
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  // Small files, and a new host version may change them: the browser asks each time.
  reply.headers.emplace_back("Cache-Control", "no-cache");
}

ApiReply consoleFile(const Services& services, const std::string& name) {
  auto type = contentTypeOf(name);
  const std::filesystem::path path = services.consoleDir / name;
  std::error_code error;
  if (!type || services.consoleDir.empty() || !std::filesystem::is_regular_file(path, error)) {
    return errorReply(ErrorKind::NotFound, "not_found", "no such console file: " + name);
  }
  std::ifstream in(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return errorReply(ErrorKind::Internal, "console_unreadable", "the console file " + name + " cannot be read");
  }
  ApiReply reply = textReply(200, std::move(content), *type);
  addConsoleHeaders(reply);
  return reply;
}

}  // namespace

ApiReply getConsole(const ApiRequest&, Services& services) { return consoleFile(services, "index.html"); }

ApiReply getConsoleFile(const ApiRequest& request, Services& services) {
  return consoleFile(services, request.pathParameters.at(0));
}

}  // namespace hookhost::http
