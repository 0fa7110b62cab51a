// The built-in application's routes (SPEC §3), served in memory through
// the handler harness: what each answers, and the 400/404/405 around them.
#include "server/app/builtin_app.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <utility>

#include "server/core/worker_state.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale {
namespace {

using testing::SentResponse;

class BuiltinAppTest : public ::testing::Test {
 protected:
  ~BuiltinAppTest() override { this_worker() = saved_; }

  SentResponse get(
      const std::string& target,
      std::chrono::steady_clock::duration timeout = std::chrono::seconds(10)) {
    return testing::fetch(
        app_, "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", timeout);
  }
  SentResponse send(const std::string& method, const std::string& target,
                    const std::string& body, const std::string& fields = "") {
    return testing::fetch(
        app_, method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + fields +
                  "Content-Length: " + std::to_string(body.size()) +
                  "\r\n\r\n" + body);
  }
  // Runs `f` with stderr captured (a 400 logs a warning).
  template <class F>
  SentResponse quietly(F f) {
    ::testing::internal::CaptureStderr();
    SentResponse r = f();
    ::testing::internal::GetCapturedStderr();
    return r;
  }

  WorkerState saved_ = this_worker();
  Application app_ = make_builtin_app(Config{});
};

constexpr const char* kTextPlain = "text/plain; charset=utf-8";

TEST_F(BuiltinAppTest, RootSaysHello) {
  SentResponse r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "Hello, world");
  EXPECT_EQ(r.field("Content-Type"), kTextPlain);
  EXPECT_EQ(r.length, 12u);
  EXPECT_EQ(r.ends, 1);
}

TEST_F(BuiltinAppTest, HelloGreetsTheDecodedName) {
  EXPECT_EQ(get("/hello/world").body(), "Hello, world");
  EXPECT_EQ(get("/hello/J%C3%BCrgen%20M").body(), "Hello, J\xc3\xbcrgen M");
  // Decoded once, after the split: %2F is part of the name.
  EXPECT_EQ(get("/hello/a%2Fb").body(), "Hello, a/b");
  EXPECT_EQ(get("/hello/100%25").body(), "Hello, 100%");
  EXPECT_EQ(get("/hello/bad%zz").body(), "Hello, bad%zz");  // kept as sent
  EXPECT_EQ(get("/hello/x").field("Content-Type"), kTextPlain);
}

TEST_F(BuiltinAppTest, HelloWithoutANameOrWithTwoIs404) {
  EXPECT_EQ(get("/hello/").status, 404);
  EXPECT_EQ(get("/hello").status, 404);
  EXPECT_EQ(get("/hello/a/b").status, 404);
}

TEST_F(BuiltinAppTest, EchoAnswersTheBodyWithItsContentType) {
  for (const char* method : {"POST", "PUT"}) {
    SentResponse r = send(method, "/echo", std::string("a\0b\xff", 4),
                          "Content-Type: image/x-test; q=1\r\n");
    EXPECT_EQ(r.status, 200) << method;
    EXPECT_EQ(r.body(), std::string("a\0b\xff", 4)) << method;
    EXPECT_EQ(r.field("Content-Type"), "image/x-test; q=1") << method;
  }
}

TEST_F(BuiltinAppTest, EchoWithoutContentTypeIsOctetStream) {
  SentResponse r = send("POST", "/echo", "raw");
  EXPECT_EQ(r.body(), "raw");
  EXPECT_EQ(r.field("Content-Type"), "application/octet-stream");
}

TEST_F(BuiltinAppTest, EchoOfAChunkedBody) {
  SentResponse r = testing::fetch(
      app_,
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(r.body(), "abcde");
}

TEST_F(BuiltinAppTest, EchoByGetIs405WithAllow) {
  SentResponse r = get("/echo");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.field("Allow"), "POST, PUT");
}

TEST_F(BuiltinAppTest, InfoIsJsonWithTheWorkersFacts) {
  this_worker().index = 3;
  this_worker().generation = 7;
  this_worker().requests = 41;
  this_worker().connections = 2;
  SentResponse r = get("/info");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.field("Content-Type"), "application/json; charset=utf-8");
  boost::json::value info = boost::json::parse(r.body());
  EXPECT_EQ(info, (boost::json::value{{"pid", ::getpid()},
                                      {"worker", 3},
                                      {"generation", 7},
                                      {"requests", 41},
                                      {"connections", 2}}));
  EXPECT_EQ(r.body().find("\"pid\":"), 1u);  // pid first, as SPEC §3 shows
}

TEST_F(BuiltinAppTest, SleepAnswersAfterItsTimer) {
  auto start = std::chrono::steady_clock::now();
  SentResponse r = get("/sleep?ms=20");
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(20));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "slept 20");
  EXPECT_EQ(r.field("Content-Type"), kTextPlain);
  EXPECT_EQ(get("/sleep").body(), "slept 0");  // ms defaults to 0
}

TEST_F(BuiltinAppTest, SleepWithABadMsIs400) {
  for (const char* ms : {"-1", "60001", "abc", "1.5", "10x", "", "%20",
                         "99999999999999999999"}) {
    SentResponse r =
        quietly([&] { return get(std::string("/sleep?ms=") + ms); });
    EXPECT_EQ(r.status, 400) << ms;
    EXPECT_EQ(r.body(), "400 Bad Request\n") << ms;
  }
  // The upper bound is allowed: no answer yet after 50 ms, and no 400.
  SentResponse asleep = get("/sleep?ms=60000", std::chrono::milliseconds(50));
  EXPECT_EQ(asleep.starts, 0);
}

TEST_F(BuiltinAppTest, HealthIsOkUntilDraining) {
  SentResponse ok = get("/health");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body(), "ok");
  EXPECT_EQ(ok.field("Cache-Control"), "no-store");
  this_worker().drain = DrainState::stopping;
  SentResponse draining = get("/health");
  EXPECT_EQ(draining.status, 503);
  EXPECT_EQ(draining.body(), "draining");
  EXPECT_EQ(draining.field("Cache-Control"), "no-store");
}

TEST_F(BuiltinAppTest, UnknownPathIs404AndNoStaticRouteWithoutARoot) {
  SentResponse r = get("/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body(), "404 Not Found\n");
  EXPECT_EQ(get("/static/index.html").status, 404);
}

}  // namespace
}  // namespace gale
