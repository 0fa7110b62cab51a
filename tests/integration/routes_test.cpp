// SPEC §3: the built-in routes that exist so far, exact bytes back.
#include <unistd.h>

#include <regex>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

using RoutesTest = GaleTest;

// The integer value of a top-level field of a flat JSON object.
std::optional<long long> json_int(const std::string& json,
                                  const std::string& field) {
  std::regex re("\"" + field + "\"\\s*:\\s*(-?\\d+)");
  std::smatch m;
  if (!std::regex_search(json, m, re)) return std::nullopt;
  return std::stoll(m[1]);
}

TEST_F(RoutesTest, RootSaysHelloWorld) {
  HttpResponse r = fetch_ok("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r.body, "Hello, world");
  EXPECT_EQ(r.header("Content-Type"), kTextPlain);
  EXPECT_EQ(r.header("Content-Length"), "12");
  expect_date_and_server(r);
}

TEST_F(RoutesTest, HelloGreetsByName) {
  HttpResponse r = fetch_ok("GET /hello/bob HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, bob");
  EXPECT_EQ(r.header("Content-Type"), kTextPlain);
}

TEST_F(RoutesTest, HelloPercentDecodesTheName) {
  HttpResponse r =
      fetch_ok("GET /hello/bob%20smith HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, bob smith");
  HttpResponse utf8 =
      fetch_ok("GET /hello/%C3%A9l%C3%A8ve HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(utf8.body, "Hello, \xC3\xA9l\xC3\xA8ve");
}

TEST_F(RoutesTest, HelloWithoutANameIsNotFound) {
  HttpResponse r = fetch_ok("GET /hello/ HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 404);
}

TEST_F(RoutesTest, EchoPostReturnsTheBodyAndItsContentType) {
  std::string body("binary\0\r\n\xff bytes", 16);
  std::string req =
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-test\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  HttpResponse r = fetch_ok(req);
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_TRUE(same_bytes(body, r.body));
  EXPECT_EQ(r.header("Content-Type"), "application/x-test");
  EXPECT_EQ(r.header("Content-Length"), std::to_string(body.size()));
}

TEST_F(RoutesTest, EchoPutReturnsTheBody) {
  HttpResponse r = fetch_ok(
      "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\n"
      "Content-Length: 5\r\n\r\na,b,c");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "a,b,c");
  EXPECT_EQ(r.header("Content-Type"), "text/csv");
}

TEST_F(RoutesTest, EchoOfAnEmptyBody) {
  HttpResponse r =
      fetch_ok("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("Content-Length"), "0");
}

TEST_F(RoutesTest, InfoReportsTheWorker) {
  HttpClient c = connect();
  const std::string req = "GET /info HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto first = c.read_response();
  ASSERT_TRUE(first) << describe(c.last_end());
  ASSERT_TRUE(c.send(req));
  auto second = c.read_response();
  ASSERT_TRUE(second) << describe(c.last_end());

  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->header("Content-Type"), "application/json; charset=utf-8");
  const std::string& json = first->body;
  EXPECT_EQ(json.front(), '{') << json;
  EXPECT_EQ(json.back(), '}') << json;
  auto pid = json_int(json, "pid");
  auto worker = json_int(json, "worker");
  auto requests = json_int(json, "requests");
  auto connections = json_int(json, "connections");
  ASSERT_TRUE(pid && worker && requests && connections) << json;
  // The server itself, or (with a master in front) one of its children:
  // every process it starts stays in its process group.
  EXPECT_EQ(::getpgid(static_cast<pid_t>(*pid)), server().pid()) << json;
  EXPECT_EQ(*worker, 0) << json;
  EXPECT_GE(*requests, 0) << json;
  EXPECT_GE(*connections, 1) << json;
  // This connection's first request is answered before it is counted.
  auto requests2 = json_int(second->body, "requests");
  ASSERT_TRUE(requests2) << second->body;
  EXPECT_EQ(*requests2, *requests + 1) << json << " then " << second->body;
  EXPECT_EQ(json_int(second->body, "pid"), pid);
}

TEST_F(RoutesTest, SleepAnswersAfterTheDelay) {
  auto start = std::chrono::steady_clock::now();
  HttpResponse r = fetch_ok("GET /sleep?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slept 200");
  EXPECT_EQ(r.header("Content-Type"), kTextPlain);
  EXPECT_GE(elapsed, 195ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(RoutesTest, SleepWithoutMsSleepsZero) {
  HttpResponse r = fetch_ok("GET /sleep HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slept 0");
}

TEST_F(RoutesTest, SleepRejectsBadDurations) {
  for (const char* ms : {"abc", "70000", "60001", "-1", "1.5", "", "10x"}) {
    SCOPED_TRACE(ms);
    HttpResponse r = fetch_ok(std::string("GET /sleep?ms=") + ms +
                              " HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_EQ(r.status_line, "HTTP/1.1 400 Bad Request");
    expect_date_and_server(r);
  }
}

TEST_F(RoutesTest, SleepAcceptsTheUpperBound) {
  // 60000 is valid; only check that it is accepted (the request is not
  // waited for: closing the socket cancels it).
  HttpClient c = send("GET /sleep?ms=60000 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(c.still_open(300ms)) << "answered at once: " << c.leftover();
}

TEST_F(RoutesTest, HealthIsOk) {
  HttpResponse r = fetch_ok("GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.header("Content-Type"), kTextPlain);
}

TEST_F(RoutesTest, QueryStringDoesNotChangeTheRoute) {
  HttpResponse r = fetch_ok("GET /?x=1&y=2 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, world");
}

}  // namespace
}  // namespace gale::itest
