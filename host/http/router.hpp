#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "http/api_request.hpp"
#include "http/services.hpp"

namespace hookhost::http {

using RouteFunction = ApiReply (*)(const ApiRequest&, Services&);

enum class Access { Public, Authenticated };

/// One REST operation: `pattern` segments in braces (`/v1/jobs/{id}`) match any one
/// path segment and are handed to the route in order.
struct Route {
  std::string method;
  std::string pattern;
  Access access;
  RouteFunction run;
  /// Roles that may call an authenticated route (empty: every role), checked from the
  /// headers before the body is read; `action` names what the others may not do.
  std::vector<storage::Role> roles = {};
  std::string action = {};
};

/// Finds the route for a request. Only routes; the work is in the route functions.
class Router {
 public:
  /// Throws std::invalid_argument when two routes have the same method and pattern
  /// (parameter names aside).
  explicit Router(std::vector<Route> routes);

  struct Match {
    const Route* route = nullptr;             // null: no route for this method and path
    std::vector<std::string> pathParameters;
    bool pathKnown = false;                   // the path exists with another method (405)
  };
  Match match(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> patterns_;  // split once
};

/// The whole REST API v1 of DESIGN.md.
std::vector<Route> apiRoutes();

/// Forbidden when `user`'s role is not among the roles `route` admits (naming what it may
/// not do); empty when it may call it. Every front end applies the routes' roles this way.
std::optional<Error> roleRefusal(const Route& route, const storage::User& user);

}  // namespace hookhost::http
