// Responses a handler streams with flush(): chunked for HTTP/1.1,
// delimited by closing the connection for HTTP/1.0.
#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;
using StreamingTest = GaleTest;

TEST_F(StreamingTest, FlushedChunksArriveChunked) {
  HttpClient c = send("GET /test/stream?n=3 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r->header("Transfer-Encoding"), "chunked");
  EXPECT_FALSE(r->has_header("Content-Length"));
  EXPECT_EQ(r->header("Content-Type"), "text/plain");
  expect_date_and_server(*r);
  ASSERT_TRUE(r->chunked);
  EXPECT_EQ(r->chunks,
            (std::vector<std::string>{"chunk 0\n", "chunk 1\n", "chunk 2\n"}));
  // The message ends with the last-chunk and an empty trailer section.
  EXPECT_TRUE(r->raw.ends_with("\r\n0\r\n\r\n")) << r->raw;
  // Keep-alive survives a chunked response.
  ASSERT_TRUE(c.send("GET /hello/x HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next) << describe(c.last_end());
  EXPECT_EQ(next->body, "Hello, x");
}

TEST_F(StreamingTest, ChunksArriveAsTheyAreFlushed) {
  // 3 chunks 300 ms apart: the first must arrive long before the last.
  HttpClient c =
      send("GET /test/stream?n=3&ms=300 HTTP/1.1\r\nHost: t\r\n\r\n");
  auto start = Clock::now();
  while (c.leftover().find("chunk 0\n") == std::string::npos &&
         Clock::now() - start < 3s)
    if (!c.receive(3s)) break;
  std::string got = c.leftover();
  auto first = Clock::now() - start;
  EXPECT_NE(got.find("chunk 0\n"), std::string::npos) << got;
  EXPECT_LT(first, 250ms) << "the first chunk waited for the others";
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->chunks.size(), 3u);
}

TEST_F(StreamingTest, Http10GetsTheStreamDelimitedByClose) {
  HttpClient c = send("GET /test/stream?n=3 HTTP/1.0\r\n\r\n");
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Transfer-Encoding")) << r->raw;
  EXPECT_FALSE(r->has_header("Content-Length")) << r->raw;
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(r->close_delimited);
  EXPECT_EQ(r->body, "chunk 0\nchunk 1\nchunk 2\n");
}

TEST_F(StreamingTest, Http10KeepAliveStillGetsCloseDelimited) {
  // No chunked coding in 1.0, so the only framing left is the close.
  HttpClient c =
      send("GET /test/stream?n=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_EQ(r->body, "chunk 0\nchunk 1\n");
}

TEST_F(StreamingTest, HeadOfAStreamHasNoBody) {
  HttpClient c = send(
      "HEAD /test/stream?n=3 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/after HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read_response(5s, true);
  ASSERT_TRUE(head) << describe(c.last_end());
  EXPECT_EQ(head->status, 200);
  auto next = c.read_response(5s);
  ASSERT_TRUE(next) << describe(c.last_end()) << " " << c.leftover();
  EXPECT_EQ(next->body, "Hello, after");
}

TEST_F(StreamingTest, PipelinedRequestWaitsBehindAStream) {
  HttpClient c = send(
      "GET /test/stream?n=3&ms=50 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/second HTTP/1.1\r\nHost: t\r\n\r\n");
  auto rs = c.read_responses(2, 5s);
  ASSERT_EQ(rs.size(), 2u) << describe(c.last_end());
  EXPECT_EQ(rs[0].chunks.size(), 3u);
  EXPECT_EQ(rs[1].body, "Hello, second");
}

// A handler that fails after part of its response went out: the only
// honest signal left is a truncated message (no last-chunk) and a closed
// connection; the worker lives on.
void expect_truncated(HttpClient& c) {
  std::string got;
  Outcome end = c.read_until_close(got, 3s);
  EXPECT_TRUE(end == Outcome::eof || end == Outcome::reset)
      << describe(end) << "; got: " << got;
  EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got;
  EXPECT_NE(got.find("\r\n8\r\npartial\n\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos)
      << "a failed response must not look complete: " << got;
  EXPECT_EQ(got.find("500"), std::string::npos) << got;
}

// Regression (issue 2): the flushed part was dropped and the client got an
// empty reply when the failure came before the loop had written it.
TEST_F(StreamingTest, Issue2FailureAfterFlushSendsTheFlushedPart) {
  HttpClient c = send(
      "GET /test/stream_then_throw HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/never HTTP/1.1\r\nHost: t\r\n\r\n");
  expect_truncated(c);
  auto r = get(port(), "/hello/after");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Hello, after");
}

TEST_F(StreamingTest, AsyncFailureAfterFlushTruncatesAndCloses) {
  HttpClient c =
      send("GET /test/stream_then_throw?async=1 HTTP/1.1\r\nHost: t\r\n\r\n");
  expect_truncated(c);
  auto r = get(port(), "/hello/after");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Hello, after");
}

}  // namespace
}  // namespace gale::itest
