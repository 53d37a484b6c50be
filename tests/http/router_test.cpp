// The router alone: which route a method and path reach, their parameters, 405 vs 404, and
// a double registration refused at construction (issue 13).
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/router.hpp"

namespace hookhost::http {
namespace {

ApiReply nothing(const ApiRequest&, Services&) { return {}; }
ApiReply other(const ApiRequest&, Services&) { return {}; }

Router sample() {
  return Router({{"GET", "/v1/jobs", Access::Authenticated, nothing},
                 {"GET", "/v1/jobs/{id}", Access::Authenticated, nothing},
                 {"POST", "/v1/jobs/{id}/cancel", Access::Authenticated, other},
                 {"GET", "/health", Access::Public, other}});
}

TEST(Router, MatchesALiteralPath) {
  auto match = sample().match("GET", "/v1/jobs");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/jobs");
  EXPECT_TRUE(match.pathParameters.empty());
}

TEST(Router, HandsPathParametersInOrder) {
  auto match = sample().match("POST", "/v1/jobs/42/cancel");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->run, &other);
  EXPECT_EQ(match.pathParameters, std::vector<std::string>{"42"});
}

TEST(Router, ATrailingSlashIsTheSameResource) {
  auto match = sample().match("GET", "/v1/jobs/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/jobs");
}

TEST(Router, AKnownPathWithAnotherMethodIsFlaggedFor405) {
  auto match = sample().match("DELETE", "/v1/jobs/7");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.pathKnown);
}

TEST(Router, AnUnknownPathIsNotKnown) {
  for (const char* path : {"/v1/nothing", "/v1/jobs/7/cancel/more", "/", "/health/x"}) {
    auto match = sample().match("GET", path);
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

}  // namespace
}  // namespace hookhost::http
