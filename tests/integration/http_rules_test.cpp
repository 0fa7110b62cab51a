// SPEC §4: persistent connections, pipelining, HEAD, Expect, and the
// headers every response carries.
#include <cstdlib>
#include <ctime>
#include <thread>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using HttpRulesTest = GaleTest;

TEST_F(HttpRulesTest, KeepAliveServesSeveralRequestsOnOneSocket) {
  HttpClient c = connect();
  for (int i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    std::string name = "n" + std::to_string(i);
    ASSERT_TRUE(c.send("GET /hello/" + name + " HTTP/1.1\r\nHost: t\r\n\r\n"))
        << c.error();
    auto r = c.read_response();
    ASSERT_TRUE(r) << describe(c.last_end());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "Hello, " + name);
    EXPECT_FALSE(r->has_header("Connection")) << r->raw;
    expect_date_and_server(*r);
  }
  EXPECT_TRUE(c.still_open(100ms));
}

TEST_F(HttpRulesTest, Http10ClosesByDefault) {
  HttpClient c = send("GET / HTTP/1.0\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r->body, "Hello, world");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

TEST_F(HttpRulesTest, Http10KeepAliveIsHonoured) {
  HttpClient c = connect();
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r) << describe(c.last_end());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "Hello, world");
    EXPECT_EQ(r->header("Connection"), "keep-alive");
    EXPECT_EQ(r->header("Content-Length"), "12");
  }
  EXPECT_TRUE(c.still_open(100ms));
}

TEST_F(HttpRulesTest, ConnectionCloseIsHonoured) {
  HttpClient c = send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

TEST_F(HttpRulesTest, ConnectionCloseAmongOtherTokens) {
  HttpClient c =
      send("GET / HTTP/1.1\r\nHost: t\r\nConnection: foo, Close\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpRulesTest, TenPipelinedRequestsInOneWriteAreAnsweredInOrder) {
  // The first is slow: the other nine must wait behind it, not overtake.
  std::string batch = "GET /sleep?ms=100 HTTP/1.1\r\nHost: t\r\n\r\n";
  for (int i = 1; i < 9; ++i)
    batch += "GET /hello/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  batch += "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nlast";
  HttpClient c = send(batch);
  std::vector<HttpResponse> rs = c.read_responses(10, 5s);
  ASSERT_EQ(rs.size(), 10u) << describe(c.last_end());
  EXPECT_EQ(rs[0].body, "slept 100");
  for (int i = 1; i < 9; ++i)
    EXPECT_EQ(rs[i].body, "Hello, " + std::to_string(i));
  EXPECT_EQ(rs[9].body, "last");
  for (const HttpResponse& r : rs) {
    EXPECT_EQ(r.status, 200);
    expect_date_and_server(r);
  }
  EXPECT_TRUE(c.still_open(100ms)) << "unexpected: " << c.leftover();
}

TEST_F(HttpRulesTest, PipelinedRequestsEndingInCloseStopThere) {
  std::string batch =
      "GET /hello/a HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
      "GET /hello/c HTTP/1.1\r\nHost: t\r\n\r\n";
  HttpClient c = send(batch);
  std::vector<HttpResponse> rs = c.read_responses(2, 5s);
  ASSERT_EQ(rs.size(), 2u) << describe(c.last_end());
  EXPECT_EQ(rs[0].body, "Hello, a");
  EXPECT_EQ(rs[1].body, "Hello, b");
  EXPECT_EQ(rs[1].header("Connection"), "close");
  // The third request is never answered.
  std::string rest;
  Outcome end = c.read_until_close(rest, 3s);
  EXPECT_TRUE(end == Outcome::eof || end == Outcome::reset) << describe(end);
  EXPECT_EQ(rest, "");
}

TEST_F(HttpRulesTest, HeadSendsTheGetHeadersWithoutABody) {
  HttpResponse get = fetch_ok("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  // HEAD then GET pipelined: if HEAD carried a body, the second response
  // would be misread.
  HttpClient c = send(
      "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/after HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(5s, /*head_request=*/true);
  ASSERT_TRUE(head) << describe(c.last_end());
  auto next = c.read_response();
  ASSERT_TRUE(next) << describe(c.last_end());
  EXPECT_EQ(head->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(head->header("Content-Length"), get.header("Content-Length"));
  EXPECT_EQ(head->header("Content-Length"), "12");
  EXPECT_EQ(head->header("Content-Type"), get.header("Content-Type"));
  EXPECT_EQ(head->body, "");
  expect_date_and_server(*head);
  EXPECT_EQ(next->body, "Hello, after");
}

TEST_F(HttpRulesTest, HeadOfHelloKeepsTheLength) {
  HttpClient c = send("HEAD /hello/abc HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(5s, true);
  ASSERT_TRUE(head) << describe(c.last_end());
  EXPECT_EQ(head->header("Content-Length"), "10");  // "Hello, abc"
  EXPECT_TRUE(c.still_open(200ms)) << "body bytes after HEAD: " << c.leftover();
}

TEST_F(HttpRulesTest, HeadOfAnErrorHasNoBodyEither) {
  HttpClient c = send("HEAD /nowhere HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(5s, true);
  ASSERT_TRUE(head) << describe(c.last_end());
  EXPECT_EQ(head->status, 404);
  EXPECT_TRUE(c.still_open(200ms)) << "body bytes after HEAD: " << c.leftover();
}

TEST_F(HttpRulesTest, ExpectContinueGets100BeforeTheBody) {
  HttpClient c = send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto interim = c.read_response(3s);
  ASSERT_TRUE(interim) << "no 100 Continue before the body: "
                       << describe(c.last_end());
  EXPECT_EQ(interim->status_line, "HTTP/1.1 100 Continue");
  EXPECT_EQ(interim->raw, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send("hello world"));
  auto r = c.read_response();
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(HttpRulesTest, ExpectContinueWithChunkedBody) {
  HttpClient c = send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto interim = c.read_response(3s);
  ASSERT_TRUE(interim) << describe(c.last_end());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("3\r\nabc\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->body, "abc");
}

TEST_F(HttpRulesTest, ExpectContinueWithTooLargeBodyGets413AtOnce) {
  HttpClient c = send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(r->header("Connection"), "close");
  expect_date_and_server(*r);
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

// A client waiting for 100 Continue gets the final status at once when no
// handler would take the request, and never uploads the body.
TEST_F(HttpRulesTest, ExpectContinueWithoutARouteGets404BeforeTheBody) {
  HttpClient c = send(
      "POST /no/such/route HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

TEST_F(HttpRulesTest, ExpectContinueWithAWrongMethodGets405BeforeTheBody) {
  HttpClient c = send(
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(r->header("Allow"), "GET, HEAD");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

TEST_F(HttpRulesTest, OtherExpectationGets417) {
  HttpClient c = send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
      "Expect: teapot\r\n\r\nabc");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 417 Expectation Failed");
  EXPECT_EQ(r->header("Connection"), "close");
  expect_date_and_server(*r);
  EXPECT_TRUE(c.wait_closed()) << "still open; got " << c.leftover();
}

TEST_F(HttpRulesTest, EqualRepeatedContentLengthsAreAccepted) {
  // RFC 9110 §8.6 allows a repeated identical value; only differing ones
  // are an error.
  HttpResponse r = fetch_ok(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
      "Content-Length: 3\r\n\r\nabc");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc");
}

TEST_F(HttpRulesTest, LeadingEmptyLineBeforeARequestIsIgnored) {
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before
  // the request line.
  HttpResponse r = fetch_ok("\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
}

TEST_F(HttpRulesTest, AbsoluteFormTargetIsRoutedByItsPath) {
  // RFC 9112 §3.2.2: a server MUST accept the absolute form.
  HttpResponse r = fetch_ok(
      "GET http://example.test/hello/abs?x=1 HTTP/1.1\r\nHost: "
      "example.test\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, abs");
}

TEST_F(HttpRulesTest, EncodedSlashStaysInsideTheName) {
  // The route matches the path as sent; {name} is decoded afterwards.
  HttpResponse r =
      fetch_ok("GET /hello/bob%2Fsmith HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello, bob/smith");
}

TEST_F(HttpRulesTest, MalformedPercentEncodingIsKeptAsSent) {
  // As Tornado's url_unescape (Python's unquote): an escape that is not
  // one stays as it was, rather than failing the request.
  HttpResponse r = fetch_ok("GET /hello/%zz%4 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, "Hello, %zz%4");
}

TEST_F(HttpRulesTest, TwoThousandPipelinedRequestsWhileReading) {
  // More than the server buffers at once either way (input and output):
  // it must pause reading, write, and resume, in order, losing nothing.
  constexpr int kRequests = 2000;
  std::string batch;
  for (int i = 0; i < kRequests; ++i)
    batch += "GET /hello/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  HttpClient c = connect();
  bool sent = false;
  std::thread sender([&] { sent = c.send(batch); });
  std::vector<HttpResponse> rs = c.read_responses(kRequests, 15s);
  sender.join();
  EXPECT_TRUE(sent) << c.error();
  ASSERT_EQ(rs.size(), static_cast<std::size_t>(kRequests))
      << describe(c.last_end());
  for (int i = 0; i < kRequests; ++i)
    ASSERT_EQ(rs[i].body, "Hello, " + std::to_string(i)) << i;
}

TEST_F(HttpRulesTest, LargeResponseToASlowReaderArrivesWhole) {
  std::string body(4 << 20, 'r');
  for (std::size_t i = 0; i < body.size(); i += 4093)
    body[i] = 'R';
  HttpClient c = connect();
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body));
  // Read in small sips with pauses: progress is slow but steady.
  for (int i = 0; i < 5; ++i) {
    c.receive(1s);
    std::this_thread::sleep_for(20ms);
  }
  auto r = c.read_response(15s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_TRUE(same_bytes(body, r->body));
}

TEST_F(HttpRulesTest, FramingHeadersAreCaseInsensitive) {
  HttpClient c = send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTRANSFER-ENCODING: Chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n"
      "POST /echo HTTP/1.1\r\nhost: t\r\ncontent-length: 0002\r\n\r\nde"
      "GET /hello/end HTTP/1.1\r\nHost: t\r\nconnection: CLOSE\r\n\r\n");
  auto rs = c.read_responses(3);
  ASSERT_EQ(rs.size(), 3u) << describe(c.last_end());
  EXPECT_EQ(rs[0].body, "abc");
  EXPECT_EQ(rs[1].body, "de");
  EXPECT_EQ(rs[2].body, "Hello, end");
  EXPECT_EQ(rs[2].header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpRulesTest, BodyOnAGetIsReadAndTheNextRequestStaysInSync) {
  HttpClient c = send(
      "GET /hello/a HTTP/1.1\r\nHost: t\r\nContent-Length: 23\r\n\r\n"
      "GET /hello/smuggled\r\n\r\n"
      "GET /hello/b HTTP/1.1\r\nHost: t\r\n\r\n");
  auto rs = c.read_responses(2);
  ASSERT_EQ(rs.size(), 2u) << describe(c.last_end());
  EXPECT_EQ(rs[0].body, "Hello, a");
  EXPECT_EQ(rs[1].body, "Hello, b");
  EXPECT_TRUE(c.still_open(200ms)) << c.leftover();
}

TEST_F(HttpRulesTest, DateIsCurrentAndAdvances) {
  auto parse = [](const std::string& date) {
    std::tm tm{};
    strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return timegm(&tm);
  };
  HttpResponse first = fetch_ok("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  std::time_t now = std::time(nullptr);
  EXPECT_LE(std::abs(parse(first.header("Date")) - now), 2)
      << first.header("Date");
  std::this_thread::sleep_for(1200ms);
  HttpResponse second = fetch_ok("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_GT(parse(second.header("Date")), parse(first.header("Date")))
      << first.header("Date") << " then " << second.header("Date");
}

}  // namespace
}  // namespace gale::itest
