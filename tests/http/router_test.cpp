// The router alone: which route a method and path reach, their parameters, 405 vs 404, and
// a double registration refused at construction (issue 13).
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/router.hpp"

namespace hookhost::http {
namespace {

ApiReply nothing(const ApiRequest&, Services&) { return {}; }
ApiReply other(const ApiRequest&, Services&) { return {}; }

// A match points into its router: each test keeps the router alive while it reads one.
Router sample() {
  return Router({{"GET", "/v1/jobs", Access::Authenticated, nothing},
                 {"GET", "/v1/jobs/{id}", Access::Authenticated, nothing},
                 {"POST", "/v1/jobs/{id}/cancel", Access::Authenticated, other},
                 {"GET", "/health", Access::Public, other}});
}

TEST(Router, MatchesALiteralPath) {
  const Router router = sample();
  auto match = router.match("GET", "/v1/jobs");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/jobs");
  EXPECT_TRUE(match.pathParameters.empty());
}

TEST(Router, HandsPathParametersInOrder) {
  const Router router = sample();
  auto match = router.match("POST", "/v1/jobs/42/cancel");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->run, &other);
  EXPECT_EQ(match.pathParameters, std::vector<std::string>{"42"});
}

TEST(Router, ATrailingSlashIsTheSameResource) {
  const Router router = sample();
  auto match = router.match("GET", "/v1/jobs/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/jobs");
}

TEST(Router, AKnownPathWithAnotherMethodIsFlaggedFor405) {
  const Router router = sample();
  auto match = router.match("DELETE", "/v1/jobs/7");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.pathKnown);
}

TEST(Router, AnUnknownPathIsNotKnown) {
  for (const char* path : {"/v1/nothing", "/v1/jobs/7/cancel/more", "/", "/health/x"}) {
    const Router router = sample();
  auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_FALSE(match.pathKnown) << path;
  }
}

TEST(Router, AParameterDoesNotMatchAnEmptySegmentOfAnotherLength) {
  EXPECT_EQ(sample().match("POST", "/v1/jobs/cancel").route, nullptr);
}

TEST(Router, TheSameMethodAndPatternTwiceIsAStartUpError) {
  try {
    Router({{"GET", "/v1/jobs/{id}", Access::Authenticated, nothing},
            {"GET", "/v1/jobs/{job}", Access::Public, other}});
    FAIL() << "a double registration was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "the route GET /v1/jobs/{job} is registered twice");
  }
}

TEST(Router, TheSamePatternWithAnotherMethodIsNoConflict) {
  EXPECT_NO_THROW(Router({{"GET", "/v1/jobs/{id}", Access::Authenticated, nothing},
                          {"DELETE", "/v1/jobs/{id}", Access::Authenticated, other}}));
}

TEST(Router, TheApiRoutesAreFreeOfDoubleRegistrations) {
  EXPECT_NO_THROW(Router{apiRoutes()});
}

// The one role rule REST's authorizer and the gRPC service both apply.
TEST(Router, ARoleTheRouteDoesNotAdmitIsRefusedNamingTheAction) {
  const Route registering{"POST", "/v1/handlers", Access::Authenticated, nothing,
                          {storage::Role::Admin, storage::Role::User}, "register handlers"};
  storage::User user;
  user.role = storage::Role::User;
  EXPECT_FALSE(roleRefusal(registering, user));
  user.role = storage::Role::Publisher;
  auto refused = roleRefusal(registering, user);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, ErrorKind::Forbidden);
  EXPECT_EQ(refused->message, "role 'publisher' may not register handlers");
  const Route anyone{"GET", "/v1/hooks", Access::Authenticated, nothing};
  EXPECT_FALSE(roleRefusal(anyone, user));
}

}  // namespace
}  // namespace hookhost::http
