// What a request may be, how a redirect changes the next request, and
// which methods are retried on a stale keep-alive connection.
#include "server/client/request_rules.hpp"

#include <gtest/gtest.h>

namespace gale::client {
namespace {

HttpClientRequest post_with_credentials() {
  HttpClientRequest r;
  r.url = "http://a/form";
  r.method = "POST";
  r.body = "x=1";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Authorization", "Bearer t"},
               {"Cookie", "s=1"},
               {"X-Trace", "7"}};
  return r;
}

bool has_field(const HttpClientRequest& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return true;
  return false;
}

TEST(RequestRulesTest, AcceptsAPlainRequest) {
  EXPECT_EQ(request_problem(post_with_credentials()), "");
  HttpClientRequest custom;
  custom.method = "PROPFIND";  // any token is a method
  EXPECT_EQ(request_problem(custom), "");
}

TEST(RequestRulesTest, RefusesWhatCouldSplitOrMisframeTheRequest) {
  HttpClientRequest r;
  r.method = "GET /x";
  EXPECT_NE(request_problem(r), "");
  r.method = "";
  EXPECT_NE(request_problem(r), "");
  r = {};
  r.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  EXPECT_NE(request_problem(r).find("CR, LF or NUL"), std::string::npos);
  r.headers = {{"X-A", std::string("a\0b", 3)}};
  EXPECT_NE(request_problem(r), "");
  r.headers = {{"Bad Name", "1"}};
  EXPECT_NE(request_problem(r).find("invalid field name"), std::string::npos);
  r.headers = {{"content-length", "5"}};
  EXPECT_NE(request_problem(r).find("set by the client"), std::string::npos);
  r.headers = {{"Transfer-Encoding", "chunked"}};
  EXPECT_NE(request_problem(r), "");
}

TEST(RequestRulesTest, SeeOtherAndFriendsBecomeGetWithoutBody) {
  for (int status : {301, 302, 303}) {
    HttpClientRequest r = post_with_credentials();
    follow_redirect(r, status, "http://a/next", true);
    EXPECT_EQ(r.method, "GET") << status;
    EXPECT_EQ(r.body, "") << status;
    EXPECT_EQ(r.url, "http://a/next");
    EXPECT_FALSE(has_field(r, "Content-Type")) << status;
    EXPECT_TRUE(has_field(r, "Authorization")) << status;  // same origin
    EXPECT_TRUE(has_field(r, "X-Trace")) << status;
  }
}

TEST(RequestRulesTest, TemporaryAndPermanentRedirectsKeepMethodAndBody) {
  for (int status : {307, 308}) {
    HttpClientRequest r = post_with_credentials();
    follow_redirect(r, status, "http://a/next", true);
    EXPECT_EQ(r.method, "POST") << status;
    EXPECT_EQ(r.body, "x=1") << status;
    EXPECT_TRUE(has_field(r, "Content-Type")) << status;
  }
}

TEST(RequestRulesTest, HeadStaysHead) {
  HttpClientRequest r;
  r.method = "HEAD";
  follow_redirect(r, 303, "http://a/", true);
  EXPECT_EQ(r.method, "HEAD");
}

TEST(RequestRulesTest, CrossOriginRedirectDropsCredentialsAndHost) {
  HttpClientRequest r = post_with_credentials();
  r.headers.emplace_back("Host", "a");
  follow_redirect(r, 307, "http://b/next", false);
  EXPECT_FALSE(has_field(r, "Authorization"));
  EXPECT_FALSE(has_field(r, "Cookie"));
  EXPECT_FALSE(has_field(r, "Host"));
  EXPECT_TRUE(has_field(r, "X-Trace"));
  EXPECT_EQ(r.body, "x=1");
}

TEST(RequestRulesTest, RedirectStatuses) {
  for (int s : {301, 302, 303, 307, 308})
    EXPECT_TRUE(is_redirect(s)) << s;
  for (int s : {200, 300, 304, 305, 306, 400})
    EXPECT_FALSE(is_redirect(s)) << s;
}

TEST(RequestRulesTest, IdempotentMethods) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    EXPECT_TRUE(is_idempotent(m)) << m;
  for (const char* m : {"POST", "PATCH", "CONNECT", "get"})
    EXPECT_FALSE(is_idempotent(m)) << m;
}

}  // namespace
}  // namespace gale::client
