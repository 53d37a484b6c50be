#include "http/router.hpp"

#include <set>
#include <stdexcept>

#include "common/result.hpp"

namespace hookhost::http {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // "/v1/hooks/" is the same resource as "/v1/hooks".
  if (segments.size() > 1 && segments.back().empty()) segments.pop_back();
  return segments;
}

bool isParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The shape a pattern matches: "/v1/jobs/{id}" and "/v1/jobs/{job}" are the same route.
std::string shapeOf(const std::vector<std::string>& segments) {
  std::string shape;
  for (const auto& segment : segments) shape += "/" + (isParameter(segment) ? std::string("{}") : segment);
  return shape;
}

}  // namespace

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& route : routes_) {
    patterns_.push_back(splitPath(route.pattern));
    // Envoy's rule: a second registration is a start-up error, never a silent shadow.
    if (!seen.emplace(route.method, shapeOf(patterns_.back())).second) {
      throw std::invalid_argument("the route " + route.method + " " + route.pattern + " is registered twice");
    }
  }
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match found;
  auto segments = splitPath(path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& pattern = patterns_[i];
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> parameters;
    bool matches = true;
    for (std::size_t s = 0; s < pattern.size() && matches; ++s) {
      if (isParameter(pattern[s])) parameters.push_back(segments[s]);
      else matches = pattern[s] == segments[s];
    }
    if (!matches) continue;
    found.pathKnown = true;
    if (routes_[i].method != method) continue;
    found.route = &routes_[i];
    found.pathParameters = std::move(parameters);
    return found;
  }
  return found;
}

std::optional<Error> roleRefusal(const Route& route, const storage::User& user) {
  if (route.roles.empty()) return std::nullopt;
  for (storage::Role role : route.roles) {
    if (user.role == role) return std::nullopt;
  }
  return makeError(ErrorKind::Forbidden, "forbidden",
                   "role '" + std::string(storage::roleName(user.role)) + "' may not " + route.action);
}

}  // namespace hookhost::http
