// SPEC §4: every error status, with its exact status line, the Date and
// Server headers, a short body, Connection: close, and the connection
// really closed afterwards when the stream is in doubt. The server must
// keep serving after each one.
#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

class ErrorsTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml =
        "limits:\n"
        "  max_header_bytes: 1024\n"
        "  max_body_bytes: 65536\n";
    return o;
  }

  // Sends `request`, expects `status_line` with Connection: close, then
  // the connection closed by the server; then checks the server still
  // answers on a new connection.
  void expect_rejected(std::string_view request, std::string_view status_line) {
    SCOPED_TRACE(::testing::PrintToString(std::string(request.substr(0, 80))));
    HttpClient c = send(request);
    auto r = c.read_response(3s);
    ASSERT_TRUE(r) << "no response: " << describe(c.last_end())
                   << "; got: " << ::testing::PrintToString(c.leftover());
    EXPECT_EQ(r->status_line, status_line);
    EXPECT_EQ(r->header("Connection"), "close") << r->raw;
    expect_date_and_server(*r);
    EXPECT_FALSE(r->body.empty()) << "an error has a short body";
    EXPECT_LT(r->body.size(), 200u);
    EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
    EXPECT_TRUE(c.wait_closed(3s))
        << "the connection stayed open after " << r->status_line
        << "; then got: " << ::testing::PrintToString(c.leftover());
    expect_still_serving();
  }

  void expect_still_serving() {
    auto r = get(port(), "/hello/still");
    ASSERT_TRUE(r) << "the server stopped answering";
    EXPECT_EQ(r->body, "Hello, still");
  }
};

constexpr std::string_view k400 = "HTTP/1.1 400 Bad Request";

// ---- the request line
// ---------------------------------------------------------

TEST_F(ErrorsTest, GarbageRequestLineIs400) {
  expect_rejected("GARBAGE\r\n\r\n", k400);
}

TEST_F(ErrorsTest, BadVersionIs400) {
  expect_rejected("GET / HTXP/1.1\r\nHost: t\r\n\r\n", k400);
}

TEST_F(ErrorsTest, MissingTargetIs400) {
  expect_rejected("GET HTTP/1.1\r\nHost: t\r\n\r\n", k400);
}

TEST_F(ErrorsTest, BareCrInRequestLineIs400) {
  expect_rejected("GET / HTTP/1.1\rX\r\nHost: t\r\n\r\n", k400);
}

TEST_F(ErrorsTest, TlsClientHelloIs400) {
  // What a client speaking HTTPS to the plain port sends first: binary,
  // and (like most real ClientHellos, whose random bytes hold a 0x0a
  // somewhere) containing a line feed.
  std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  hello += std::string(32, '\x5a') + "\n" + std::string(32, '\xa5');
  expect_rejected(hello, k400);
}

TEST_F(ErrorsTest, ControlCharacterInTargetIs400) {
  expect_rejected(std::string("GET /a\x01z HTTP/1.1\r\nHost: t\r\n\r\n"), k400);
}

// ---- header fields
// ------------------------------------------------------------

TEST_F(ErrorsTest, HeaderWithoutColonIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost t\r\n\r\n", k400);
}

TEST_F(ErrorsTest, ObsFoldIs400) {
  expect_rejected(
      "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n  continued\r\n\r\n", k400);
}

TEST_F(ErrorsTest, ObsFoldWithTabIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n\tb\r\n\r\n",
                  k400);
}

TEST_F(ErrorsTest, WhitespaceBeforeColonIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost : t\r\n\r\n", k400);
}

TEST_F(ErrorsTest, WhitespaceBeforeColonOfContentLengthIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length : 3\r\n\r\nabc", k400);
}

TEST_F(ErrorsTest, BareCrInHeaderIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", k400);
}

// ---- body framing (request smuggling)
// -----------------------------------------

TEST_F(ErrorsTest, ContentLengthWithTransferEncodingIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      k400);
}

TEST_F(ErrorsTest, TransferEncodingWithContentLengthIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n",
      k400);
}

TEST_F(ErrorsTest, DifferingContentLengthsAre400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
      "Content-Length: 4\r\n\r\nabcd",
      k400);
}

TEST_F(ErrorsTest, ContentLengthListIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3, 4\r\n\r\nabcd",
      k400);
}

TEST_F(ErrorsTest, NonNumericContentLengthIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n", k400);
}

TEST_F(ErrorsTest, NegativeContentLengthIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", k400);
}

TEST_F(ErrorsTest, InvalidChunkSizeIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "zz\r\nabc\r\n0\r\n\r\n",
      k400);
}

TEST_F(ErrorsTest, ChunkSizeOverflowIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1ffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
      k400);
}

TEST_F(ErrorsTest, ChunkWithoutCrlfAfterDataIs400) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabcX\r\n0\r\n\r\n",
      k400);
}

TEST_F(ErrorsTest, GzipTransferCodingIs501) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 501 Not Implemented");
}

TEST_F(ErrorsTest, GzipThenChunkedIs501) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n"
      "\r\n0\r\n\r\n",
      "HTTP/1.1 501 Not Implemented");
}

// ---- size limits (max_header_bytes: 1024)
// ------------------------------------

TEST_F(ErrorsTest, LongRequestLineIs414) {
  expect_rejected(
      "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
      "HTTP/1.1 414 URI Too Long");
}

TEST_F(ErrorsTest, LongRequestLineIs414BeforeItEnds) {
  // No line end yet: the limit is enough to answer.
  expect_rejected("GET /" + std::string(1500, 'a'),
                  "HTTP/1.1 414 URI Too Long");
}

TEST_F(ErrorsTest, LongHeaderIs431) {
  expect_rejected("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " +
                      std::string(2000, 'b') + "\r\n\r\n",
                  "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(ErrorsTest, ManyHeadersAre431) {
  std::string req = "GET / HTTP/1.1\r\nHost: t\r\n";
  // Each field is small; together they pass 1024 bytes.
  for (int i = 0; i < 200; ++i)
    req += "X-H" + std::to_string(i) + ": v\r\n";
  req += "\r\n";
  expect_rejected(req, "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(ErrorsTest, HeadJustUnderTheLimitIsServed) {
  std::string req = "GET / HTTP/1.1\r\nHost: t\r\nX-Pad: ";
  // 1024 bytes in all, the final CRLF included.
  req += std::string(1024 - req.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(req.size(), 1024u);
  HttpResponse r = fetch_ok(req);
  EXPECT_EQ(r.status, 200);
}

TEST_F(ErrorsTest, ContentLengthOverTheLimitIs413) {
  expect_rejected(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 65537\r\n\r\n",
      "HTTP/1.1 413 Payload Too Large");
}

// ---- versions
// -------------------------------------------------------------------

TEST_F(ErrorsTest, Http2PrefaceIs505) {
  expect_rejected("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                  "HTTP/1.1 505 HTTP Version Not Supported");
}

TEST_F(ErrorsTest, Http20RequestIs505) {
  expect_rejected("GET / HTTP/2.0\r\nHost: t\r\n\r\n",
                  "HTTP/1.1 505 HTTP Version Not Supported");
}

TEST_F(ErrorsTest, Http30RequestIs505) {
  expect_rejected("GET / HTTP/3.0\r\nHost: t\r\n\r\n",
                  "HTTP/1.1 505 HTTP Version Not Supported");
}

// ---- Host fields (RFC 9112 §3.2) and bytes that cannot start a method ----

TEST_F(ErrorsTest, MissingHostIs400) {
  expect_rejected("GET / HTTP/1.1\r\n\r\n", k400);
}

TEST_F(ErrorsTest, DuplicateHostIs400) {
  expect_rejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", k400);
}

TEST_F(ErrorsTest, InvalidMethodByteIsRejectedBeforeTheLineEnds) {
  std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  expect_rejected(hello + std::string(64, '\x5a'), k400);
}

// ---- routing: the stream is not in doubt, so the connection lives on --------

TEST_F(ErrorsTest, NoRouteIs404AndTheConnectionLivesOn) {
  HttpClient c = send(
      "GET /no/such/route HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/next HTTP/1.1\r\nHost: t\r\n\r\n");
  auto rs = c.read_responses(2);
  ASSERT_EQ(rs.size(), 2u) << describe(c.last_end());
  EXPECT_EQ(rs[0].status_line, "HTTP/1.1 404 Not Found");
  expect_date_and_server(rs[0]);
  EXPECT_FALSE(rs[0].body.empty());
  EXPECT_EQ(rs[1].body, "Hello, next");
}

TEST_F(ErrorsTest, WrongMethodIs405WithAllow) {
  HttpClient c = send(
      "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"
      "POST /info HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
      "GET /hello/next HTTP/1.1\r\nHost: t\r\n\r\n");
  auto rs = c.read_responses(4);
  ASSERT_EQ(rs.size(), 4u) << describe(c.last_end());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rs[i].status_line, "HTTP/1.1 405 Method Not Allowed");
    expect_date_and_server(rs[i]);
    EXPECT_TRUE(rs[i].has_header("Allow")) << rs[i].raw;
  }
  auto allow_has = [](const HttpResponse& r, std::string_view m) {
    return r.header("Allow").find(m) != std::string::npos;
  };
  EXPECT_TRUE(allow_has(rs[0], "GET")) << rs[0].header("Allow");
  EXPECT_FALSE(allow_has(rs[0], "DELETE")) << rs[0].header("Allow");
  EXPECT_TRUE(allow_has(rs[1], "POST")) << rs[1].header("Allow");
  EXPECT_TRUE(allow_has(rs[1], "PUT")) << rs[1].header("Allow");
  EXPECT_FALSE(allow_has(rs[1], "GET")) << rs[1].header("Allow");
  EXPECT_TRUE(allow_has(rs[2], "GET")) << rs[2].header("Allow");
  EXPECT_EQ(rs[3].body, "Hello, next");
}

TEST_F(ErrorsTest, UnknownMethodIs501AndTheWorkerServesOn_Issue14) {
  // RFC 9110 §9.1 / §15.6.2: a well-formed method the server does not
  // know is 501, answered with Connection: close like every parse error.
  HttpClient c = send("FROBNICATE / HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 501) << r->status_line;
  EXPECT_EQ(r->body, "method not implemented\n");
  expect_date_and_server(*r);
  expect_still_serving();
}

// ---- handler failure
// ------------------------------------------------------------

TEST_F(ErrorsTest, ThrowingHandlerIs500AndTheWorkerLivesOn) {
  // Another connection with a request in flight must not notice.
  HttpClient slow = send("GET /sleep?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n");
  HttpClient c = send("GET /test/throw HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response(3s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status_line, "HTTP/1.1 500 Internal Server Error");
  expect_date_and_server(*r);
  EXPECT_FALSE(r->body.empty());
  EXPECT_EQ(r->body.find("deliberate"), std::string::npos)
      << "the exception text leaks to the client: " << r->body;

  auto slept = slow.read_response(3s);
  ASSERT_TRUE(slept) << describe(slow.last_end());
  EXPECT_EQ(slept->body, "slept 300");
  // The same worker, on a new connection.
  auto again = get(port(), "/test/throw");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 500);
  expect_still_serving();
}

TEST_F(ErrorsTest, ThrowingHandlerLeavesItsConnectionUsable) {
  // The stream is not in doubt after a 500 from a handler: either the
  // connection is kept and serves the next request, or it says close.
  HttpClient c = send(
      "GET /test/throw HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello/after HTTP/1.1\r\nHost: t\r\n\r\n");
  auto first = c.read_response(3s);
  ASSERT_TRUE(first) << describe(c.last_end());
  EXPECT_EQ(first->status, 500);
  if (first->header("Connection") == "close") {
    EXPECT_TRUE(c.wait_closed());
  } else {
    auto second = c.read_response(3s);
    ASSERT_TRUE(second) << describe(c.last_end());
    EXPECT_EQ(second->body, "Hello, after");
  }
}

}  // namespace
}  // namespace gale::itest
