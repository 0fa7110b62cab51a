// RequestParser against every SPEC §4 framing rule, each with its exact
// bytes, each ground across every split point and one byte at a time
// (parse_harness.hpp).
#include "server/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/server/http/parse_harness.hpp"

namespace gale {
namespace {

using testing::grind;
using testing::grind_all;
using testing::Parsed;
using Event = RequestParser::Event;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr ParserLimits kLimits{1024, 1024};

// A request line "GET /xxx HTTP/1.1\r\n" of exactly `n` bytes (n >= 16).
std::string request_line_of(std::size_t n) {
  return "GET /" + std::string(n - 16, 'a') + " HTTP/1.1\r\n";
}

// A complete head (request line, one field, final CRLF) of exactly `n`
// bytes (n >= 23).
std::string head_of(std::size_t n) {
  std::string line = "GET / HTTP/1.1\r\n";
  std::size_t field = n - line.size() - 2;  // "X: ...\r\n"
  return line + "X: " + std::string(field - 5, 'v') + "\r\n\r\n";
}

// ---- valid requests ------------------------------------------------------

TEST(RequestParserTest, ValidGetIsOneMessageWithoutBody) {
  const std::string in = "GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_EQ(p.head_events, 1);
  EXPECT_EQ(p.method, Method::get);
  EXPECT_EQ(p.method_name, "GET");
  EXPECT_EQ(p.target, "/hello?x=1");
  EXPECT_EQ(p.version_major, 1u);
  EXPECT_EQ(p.version_minor, 1u);
  EXPECT_EQ(p.headers, (Headers{{"Host", "example.com"}}));
  EXPECT_FALSE(p.content_length);
  EXPECT_FALSE(p.chunked);
  EXPECT_TRUE(p.body.empty());
}

TEST(RequestParserTest, ValidHeadRequest) {
  Parsed p = grind("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.method, Method::head);
  EXPECT_EQ(p.method_name, "HEAD");
}

TEST(RequestParserTest, ValidPostWithContentLengthBody) {
  const std::string in =
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n"
      "Content-Length: 11\r\n\r\nhello world";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_EQ(p.method, Method::post);
  EXPECT_EQ(p.content_length, 11u);
  EXPECT_FALSE(p.chunked);
  EXPECT_EQ(p.body, "hello world");
}

TEST(RequestParserTest, BodyBytesAreKeptVerbatimIncludingNulAndCrlf) {
  const std::string body("a\0b\r\nc\r\n\r\n", 10);
  const std::string in =
      "PUT /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n" + body;
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, body);
}

TEST(RequestParserTest, ContentLengthZeroIsAnEmptyBody) {
  Parsed p = grind("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.content_length, 0u);
  EXPECT_TRUE(p.body.empty());
}

TEST(RequestParserTest, OtherMethodsAreNamed) {
  struct Case {
    const char* name;
    Method method;
  } cases[] = {{"PUT", Method::put},     {"DELETE", Method::delete_},
               {"PATCH", Method::patch}, {"OPTIONS", Method::options},
               {"TRACE", Method::trace}, {"PROPFIND", Method::other}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Parsed p = grind(std::string(c.name) + " / HTTP/1.1\r\n\r\n", kLimits);
    ASSERT_TRUE(p.ok()) << p;
    EXPECT_EQ(p.method, c.method);
    EXPECT_EQ(p.method_name, c.name);
  }
}

TEST(RequestParserTest, FieldValuesAreTrimmedAndNamesKeepTheirCase) {
  Parsed p = grind(
      "GET / HTTP/1.1\r\nX-Thing:  \t a b \t \r\nx-empty:\r\nHOST:h\r\n\r\n",
      kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.headers,
            (Headers{{"X-Thing", "a b"}, {"x-empty", ""}, {"HOST", "h"}}));
}

TEST(RequestParserTest, RepeatedFieldsAreKeptInOrder) {
  Parsed p = grind("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nA: 3\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.headers, (Headers{{"A", "1"}, {"B", "2"}, {"A", "3"}}));
}

TEST(RequestParserTest, LeadingEmptyLinesBeforeTheRequestLineAreIgnored) {
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line first.
  const std::string in = "\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.target, "/");
  EXPECT_EQ(p.consumed, in.size());
}

TEST(RequestParserTest, BareLfLineEndingsAreAccepted) {
  // RFC 9112 §2.2 lets a recipient accept a lone LF as a line terminator.
  Parsed p = grind("GET / HTTP/1.1\nHost: a\n\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.headers, (Headers{{"Host", "a"}}));
}

TEST(RequestParserTest, AbsoluteFormTargetIsKeptAsSent) {
  Parsed p = grind("GET http://example.com/a?b HTTP/1.1\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.target, "http://example.com/a?b");
}

TEST(RequestParserTest, AsteriskFormTargetForOptions) {
  Parsed p = grind("OPTIONS * HTTP/1.1\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.target, "*");
}

TEST(RequestParserTest, Http10RequestIsAccepted) {
  Parsed p = grind("GET / HTTP/1.0\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.version_major, 1u);
  EXPECT_EQ(p.version_minor, 0u);
}

// ---- chunked bodies --------------------------------------------------------

TEST(RequestParserTest, ChunkedBodyIsDecoded) {
  const std::string in =
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_TRUE(p.chunked);
  EXPECT_FALSE(p.content_length);
  EXPECT_EQ(p.body, "hello world");
}

TEST(RequestParserTest, ChunkSizesAreHexInEitherCase) {
  const std::string in =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "a\r\n0123456789\r\nB\r\nabcdefghijk\r\n000\r\n\r\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "0123456789abcdefghijk");
}

TEST(RequestParserTest, ChunkedTransferEncodingIsCaseInsensitive) {
  Parsed p = grind(
      "POST / HTTP/1.1\r\nTRANSFER-ENCODING: "
      "Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
      kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.chunked);
  EXPECT_EQ(p.body, "x");
}

TEST(RequestParserTest, ChunkExtensionsAndTrailersAreToleratedAndDropped) {
  const std::string in =
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "6 ; quoted=\"a;b\" ; flag\r\n world\r\n"
      "0;last\r\nX-Trailer: yes\r\nChecksum: abc\r\n\r\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.consumed, in.size());
  EXPECT_EQ(p.body, "hello world");
  // Trailer fields do not join the head's fields.
  EXPECT_EQ(p.headers,
            (Headers{{"Host", "a"}, {"Transfer-Encoding", "chunked"}}));
}

TEST(RequestParserTest, EmptyChunkedBody) {
  Parsed p =
      grind("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.body.empty());
}

// ---- pipelining
// --------------------------------------------------------------

TEST(RequestParserTest, PipelinedGetsStopAtEachMessageEnd) {
  const std::string a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string b = "GET /b HTTP/1.1\r\n\r\n";
  const std::string c = "HEAD /c HTTP/1.1\r\n\r\n";
  std::vector<Parsed> m = grind_all(a + b + c, kLimits);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(m[0].ok() && m[1].ok() && m[2].ok());
  EXPECT_EQ(m[0].target, "/a");
  EXPECT_EQ(m[0].consumed, a.size());
  EXPECT_EQ(m[1].target, "/b");
  EXPECT_EQ(m[1].consumed, b.size());
  EXPECT_EQ(m[2].target, "/c");
  EXPECT_EQ(m[2].consumed, c.size());
}

TEST(RequestParserTest, PipelinedBodiesDoNotSpillIntoTheNextMessage) {
  const std::string a = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  const std::string b =
      "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nde\r\n0\r\n\r\n";
  const std::string c = "GET /c HTTP/1.1\r\n\r\n";
  std::vector<Parsed> m = grind_all(a + b + c, kLimits);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].body, "abc");
  EXPECT_EQ(m[0].consumed, a.size());
  EXPECT_EQ(m[1].body, "de");
  EXPECT_EQ(m[1].consumed, b.size());
  EXPECT_EQ(m[2].target, "/c");
  EXPECT_EQ(m[2].consumed, c.size());
}

TEST(RequestParserTest, PartialSecondMessageNeedsMore) {
  std::vector<Parsed> m =
      grind_all("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nHo", kLimits);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_TRUE(m[0].ok());
  EXPECT_EQ(m[1].event, Event::need_more);
  EXPECT_EQ(m[1].head_events, 0);
}

TEST(RequestParserTest, FeedAfterMessageCompleteConsumesNothingUntilReset) {
  RequestParser parser(kLimits);
  const std::string in = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  std::size_t off = 0;
  RequestParser::Step s{};
  do {
    s = parser.feed(in.data() + off, in.size() - off);
    off += s.consumed;
  } while (s.event == Event::head_complete);
  ASSERT_EQ(s.event, Event::message_complete);
  EXPECT_EQ(off, in.size() / 2);
  s = parser.feed(in.data() + off, in.size() - off);
  EXPECT_EQ(s.event, Event::message_complete);
  EXPECT_EQ(s.consumed, 0u);
  parser.reset();
  EXPECT_FALSE(parser.started());
  EXPECT_FALSE(parser.head_done());
  do {
    s = parser.feed(in.data() + off, in.size() - off);
    off += s.consumed;
  } while (s.event == Event::head_complete);
  EXPECT_EQ(s.event, Event::message_complete);
  EXPECT_EQ(parser.head().target, "/b");
}

TEST(RequestParserTest, HeadCompleteComesBeforeTheBodyArrives) {
  RequestParser parser(kLimits);
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n";
  std::size_t off = 0;
  RequestParser::Step s = parser.feed(head.data(), head.size());
  ASSERT_EQ(s.event, Event::head_complete);
  off += s.consumed;
  EXPECT_EQ(parser.head().content_length, 4u);
  s = parser.feed(head.data() + off, head.size() - off);
  EXPECT_EQ(s.event, Event::need_more);
  EXPECT_EQ(off + s.consumed, head.size());
  s = parser.feed("ab", 2);
  EXPECT_EQ(s.event, Event::need_more);
  s = parser.feed("cdGET", 5);
  EXPECT_EQ(s.event, Event::message_complete);
  EXPECT_EQ(s.consumed, 2u);
  EXPECT_EQ(parser.body().view(), "abcd");
}

// ---- keep-alive ------------------------------------------------------------

TEST(RequestParserTest, Http11IsPersistentByDefault) {
  Parsed p = grind("GET / HTTP/1.1\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.keep_alive);
}

TEST(RequestParserTest, Http11ConnectionCloseIsHonoured) {
  Parsed p = grind("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.keep_alive);
}

TEST(RequestParserTest, Http11ConnectionCloseAmongOtherTokens) {
  Parsed p = grind("GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.keep_alive);
}

TEST(RequestParserTest, Http10ClosesByDefault) {
  Parsed p = grind("GET / HTTP/1.0\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.keep_alive);
}

TEST(RequestParserTest, Http10WithKeepAliveStaysOpen) {
  Parsed p = grind("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.keep_alive);
}

TEST(RequestParserTest, Http10WithKeepAliveAndCloseCloses) {
  Parsed p =
      grind("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.keep_alive);
}

TEST(RequestParserTest, Http10ChunkedBodyClosesEvenWithKeepAlive) {
  // RFC 9112 §6.1: a chunked HTTP/1.0 message leaves the framing in doubt.
  Parsed p = grind(
      "POST / HTTP/1.0\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
      kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "x");
  EXPECT_FALSE(p.keep_alive);
}

// ---- Expect ----------------------------------------------------------------

TEST(RequestParserTest, Expect100ContinueIsReportedAtHeadTime) {
  RequestParser parser(kLimits);
  const std::string head =
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
  RequestParser::Step s = parser.feed(head.data(), head.size());
  ASSERT_EQ(s.event, Event::head_complete);
  EXPECT_TRUE(parser.head().expect_continue);
  EXPECT_FALSE(parser.head().expect_unsupported);

  Parsed p = grind(head + "hello", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.expect_continue);
  EXPECT_EQ(p.body, "hello");
}

TEST(RequestParserTest, Expect100ContinueIsCaseInsensitive) {
  Parsed p = grind("POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.expect_continue);
  EXPECT_FALSE(p.expect_unsupported);
}

TEST(RequestParserTest, OtherExpectationIsUnsupported) {
  Parsed p = grind("POST / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.expect_continue);
  EXPECT_TRUE(p.expect_unsupported);
}

TEST(RequestParserTest, Expect100ContinueIsIgnoredOnHttp10) {
  // RFC 9110 §10.1.1: ignore 100-continue from an HTTP/1.0 client.
  Parsed p = grind("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.expect_continue);
  EXPECT_FALSE(p.expect_unsupported);
}

TEST(RequestParserTest, NoExpectMeansNoExpectation) {
  Parsed p = grind("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", kLimits);
  EXPECT_FALSE(p.expect_continue);
  EXPECT_FALSE(p.expect_unsupported);
}

// ---- upgrade ---------------------------------------------------------------

TEST(RequestParserTest, WebSocketUpgradeIsFlagged) {
  Parsed p = grind(
      "GET /ws/echo HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n",
      kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.upgrade);
}

TEST(RequestParserTest, PlainRequestIsNoUpgrade) {
  Parsed p = grind("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_FALSE(p.upgrade);  // Upgrade without Connection: upgrade
}

TEST(RequestParserTest, ConnectIsFlaggedAsUpgrade) {
  Parsed p = grind("CONNECT example.com:443 HTTP/1.1\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.method, Method::connect);
  EXPECT_EQ(p.target, "example.com:443");
  EXPECT_TRUE(p.upgrade);
}

TEST(RequestParserTest, ConnectWithContentLengthReadsItsBody) {
  // Regression (found by fuzz_request_parser): http-parser ended a CONNECT
  // request at its head whatever its framing fields said, so its body was
  // parsed as the next request, while a proxy in front (RFC 9112 §6.3)
  // frames it by Content-Length: a smuggling vector.
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\n\r\n";
  const std::string a =
      "CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 26\r\n\r\n" +
      smuggled;
  const std::string b = "GET /next HTTP/1.1\r\n\r\n";
  std::vector<Parsed> m = grind_all(a + b, kLimits);
  ASSERT_EQ(m.size(), 2u);
  ASSERT_TRUE(m[0].ok()) << m[0];
  EXPECT_EQ(m[0].method, Method::connect);
  EXPECT_TRUE(m[0].upgrade);
  EXPECT_EQ(m[0].body, smuggled);
  EXPECT_EQ(m[0].consumed, a.size());
  EXPECT_EQ(m[1].target, "/next");
}

TEST(RequestParserTest, UpgradeRequestWithABodyReadsItsBody) {
  std::vector<Parsed> m = grind_all(
      "GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"
      "Content-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n\r\n",
      kLimits);
  ASSERT_EQ(m.size(), 2u);
  ASSERT_TRUE(m[0].ok()) << m[0];
  EXPECT_TRUE(m[0].upgrade);
  EXPECT_EQ(m[0].body, "hello");
  EXPECT_EQ(m[1].target, "/next");
}

TEST(RequestParserTest, HeadRequestWithContentLengthReadsItsBody) {
  // Only responses to HEAD lack a body; a HEAD request is framed as any.
  std::vector<Parsed> m = grind_all(
      "HEAD / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /n HTTP/1.1\r\n\r\n",
      kLimits);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].body, "abc");
  EXPECT_EQ(m[1].target, "/n");
}

TEST(RequestParserTest, ConnectWithChunkedBodyReadsItsBody) {
  std::vector<Parsed> m = grind_all(
      "CONNECT h:1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n",
      kLimits);
  ASSERT_EQ(m.size(), 2u);
  ASSERT_TRUE(m[0].ok()) << m[0];
  EXPECT_EQ(m[0].body, "abc");
  EXPECT_EQ(m[1].target, "/next");
}

// ---- malformed request line: 400 -----------------------------------------

void expect_error(const std::string& in, ParseError e, int status,
                  ParserLimits limits = kLimits) {
  Parsed p = grind(in, limits);
  EXPECT_EQ(p.event, Event::error) << p;
  EXPECT_EQ(p.error, e) << p;
  EXPECT_EQ(status_for(p.error), status);
}

TEST(RequestParserTest, RequestLineWithoutTargetIs400) {
  expect_error("GET HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, RequestLineWithoutVersionIs400) {
  // HTTP/0.9's "GET /" is not a valid HTTP/1.1 request line (RFC 9112 §3).
  expect_error("GET /\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, RequestLineWithPathRunningIntoVersionIs400) {
  expect_error("GET /HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, RequestLineWithRepeatedSpacesIsAcceptedAsNginxDoes) {
  // RFC 9112 §3 lets a recipient split the request line on runs of
  // whitespace; nginx does, and so does http-parser.
  Parsed p = grind("GET  /a  HTTP/1.1\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.target, "/a");
}

TEST(RequestParserTest, RequestLineWithTwoTargetsIs400) {
  expect_error("GET /a /b HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, RequestLineWithTrailingSpaceIs400) {
  expect_error("GET / HTTP/1.1 \r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, RequestLineWithTrailingTokenIs400) {
  expect_error("GET / HTTP/1.1 x\r\n\r\n", ParseError::bad_request_line, 400);
}

// RFC 9110 §9.1: methods are case-sensitive tokens; one the server does
// not know is 501, bytes that cannot form a token are 400.
TEST(RequestParserTest, LowercaseMethodIsAnUnknownMethod501_Issue14) {
  expect_error("get / HTTP/1.1\r\n\r\n", ParseError::unknown_method, 501);
}

TEST(RequestParserTest, UnknownTokenMethodIs501_Issue14) {
  expect_error("FROB / HTTP/1.1\r\n\r\n", ParseError::unknown_method, 501);
  expect_error("GE / HTTP/1.1\r\n\r\n", ParseError::unknown_method, 501);
  expect_error("X-CUSTOM! / HTTP/1.1\r\n\r\n", ParseError::unknown_method, 501);
}

TEST(RequestParserTest, NonTokenMethodIs400_Issue14) {
  expect_error("GE[T / HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("G\"T / HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("GET/ HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, MalformedVersionIs400) {
  expect_error("GET / HTTP/1.x\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("GET / HTTPS/1.1\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("GET / http/1.1\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("GET / HTTP/11\r\n\r\n", ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, ControlCharacterInTargetIs400) {
  expect_error("GET /a\x01 HTTP/1.1\r\n\r\n", ParseError::bad_request_line,
               400);
}

TEST(RequestParserTest, NulInTargetIs400) {
  expect_error(std::string("GET /a\0b HTTP/1.1\r\n\r\n", 20),
               ParseError::bad_request_line, 400);
}

TEST(RequestParserTest, BareCrInRequestLineIs400) {
  expect_error("GET /\r HTTP/1.1\r\n\r\n", ParseError::bad_request_line, 400);
  expect_error("GET / HTTP/1.1\rHost: a\r\n\r\n", ParseError::bad_request_line,
               400);
}

// ---- malformed fields: 400 -------------------------------------------------

TEST(RequestParserTest, FieldLineWithoutColonIs400) {
  expect_error("GET / HTTP/1.1\r\nNoColonHere\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, FieldLineWithEmptyNameIs400) {
  expect_error("GET / HTTP/1.1\r\n: value\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, InvalidCharacterInFieldNameIs400) {
  expect_error("GET / HTTP/1.1\r\nX(y): 1\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, WhitespaceBeforeColonIs400) {
  // RFC 9112 §5.1: a server MUST reject it with 400 (smuggling vector).
  expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseError::bad_header,
               400);
  expect_error("GET / HTTP/1.1\r\nContent-Length\t: 0\r\n\r\n",
               ParseError::bad_header, 400);
}

TEST(RequestParserTest, ObsFoldWithSpaceIs400) {
  expect_error("GET / HTTP/1.1\r\nX-Long: a\r\n b\r\n\r\n",
               ParseError::obs_fold, 400);
}

TEST(RequestParserTest, ObsFoldWithTabIs400) {
  expect_error("GET / HTTP/1.1\r\nX-Long: a\r\n\tb\r\n\r\n",
               ParseError::obs_fold, 400);
}

TEST(RequestParserTest, WhitespaceLineAfterRequestLineIs400) {
  expect_error("GET / HTTP/1.1\r\n Host: a\r\n\r\n", ParseError::obs_fold, 400);
}

TEST(RequestParserTest, BareCrInFieldValueIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, BareCrEndingFieldLineIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, BareCrInsteadOfFinalCrlfIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\r\n\rGET", ParseError::bad_header, 400);
}

TEST(RequestParserTest, NulInFieldValueIs400) {
  expect_error(std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26),
               ParseError::bad_header, 400);
}

// Found by fuzz_request_handler: http-parser checks the bytes of a field
// value after the first, so a value that starts with NUL (or another
// control byte) passed and reached the handler.
TEST(RequestParserTest, RegressionNulAsFirstByteOfAFieldValueIs400) {
  expect_error(std::string("GET / HTTP/1.1\r\nX: \0\r\n\r\n", 24),
               ParseError::bad_header, 400);
  expect_error(std::string("GET / HTTP/1.1\r\nX: \x01a\r\n\r\n", 25),
               ParseError::bad_header, 400);
}

TEST(RequestParserTest, NulInFieldNameIs400) {
  expect_error(std::string("GET / HTTP/1.1\r\nX\0Y: a\r\n\r\n", 26),
               ParseError::bad_header, 400);
}

TEST(RequestParserTest, DelCharacterInFieldValueIs400) {
  expect_error("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", ParseError::bad_header,
               400);
}

TEST(RequestParserTest, ObsTextInFieldValueIsAccepted) {
  // RFC 9110 §5.5: field-value may contain obs-text (0x80-0xFF).
  Parsed p = grind("GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.headers, (Headers{{"X", "caf\xc3\xa9"}}));
}

// ---- Content-Length and Transfer-Encoding
// ------------------------------------

TEST(RequestParserTest, ContentLengthWithTransferEncodingIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
      "\r\n0\r\n\r\n",
      ParseError::content_length_with_transfer_encoding, 400);
}

TEST(RequestParserTest, TransferEncodingWithContentLengthIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"
      "\r\n0\r\n\r\n",
      ParseError::content_length_with_transfer_encoding, 400);
}

TEST(RequestParserTest, RepeatedDifferingContentLengthIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
      "hello!",
      ParseError::conflicting_content_length, 400);
}

TEST(RequestParserTest, RepeatedDifferingContentLengthApartIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nContent-Length: 6\r\nHost: a\r\n"
      "Content-Length: 5\r\n\r\nhello!",
      ParseError::conflicting_content_length, 400);
}

TEST(RequestParserTest, RepeatedEqualContentLengthIsAccepted) {
  // RFC 9110 §8.6 lets a recipient accept identical repeated values;
  // http-parser alone would reject them, the wrapper deliberately does not.
  const std::string in =
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nHost: a\r\n"
      "content-length: 5\r\n\r\nhello";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.content_length, 5u);
  EXPECT_EQ(p.body, "hello");
  EXPECT_EQ(p.consumed, in.size());
}

TEST(RequestParserTest, RepeatedEqualContentLengthAdjacentIsAccepted) {
  Parsed p = grind(
      "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
      "Content-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n",
      kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "ok");
}

TEST(RequestParserTest, ThreeContentLengthsLastDifferingIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
      "Content-Length: 3\r\n\r\nok!",
      ParseError::conflicting_content_length, 400);
}

TEST(RequestParserTest, NonNumericContentLengthIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, NegativeContentLengthIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, SignedContentLengthIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, ContentLengthWithInnerSpaceIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, ContentLengthListIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, EmptyContentLengthIs400) {
  expect_error("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
               ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, ContentLengthOverflowingSixtyFourBitsIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      ParseError::bad_content_length, 400);
}

TEST(RequestParserTest, TransferCodingGzipIs501) {
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
               ParseError::unsupported_transfer_coding, 501);
}

TEST(RequestParserTest, TransferCodingGzipThenChunkedIs501) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      ParseError::unsupported_transfer_coding, 501);
}

TEST(RequestParserTest, TransferCodingChunkedThenGzipIs501) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
      ParseError::unsupported_transfer_coding, 501);
}

TEST(RequestParserTest, TransferCodingSplitOverTwoFieldsIs501) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ParseError::unsupported_transfer_coding, 501);
}

TEST(RequestParserTest, TransferCodingIdentityIs501) {
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
               ParseError::unsupported_transfer_coding, 501);
}

TEST(RequestParserTest, ChunkedTwiceIs400) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
      "0\r\n\r\n",
      ParseError::bad_header, 400);
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ParseError::bad_header, 400);
}

TEST(RequestParserTest, EmptyTransferEncodingIs400) {
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n",
               ParseError::bad_header, 400);
}

// ---- chunk framing: 400
// ------------------------------------------------------

const std::string kChunkedHead =
    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(RequestParserTest, NonHexChunkSizeIs400) {
  expect_error(kChunkedHead + "zz\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, EmptyChunkSizeIs400) {
  expect_error(kChunkedHead + "\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, SignedChunkSizeIs400) {
  expect_error(kChunkedHead + "-5\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
  expect_error(kChunkedHead + "+5\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, HexPrefixedChunkSizeIs400) {
  expect_error(kChunkedHead + "0x5\r\nhello\r\n0\r\n\r\n",
               ParseError::bad_chunk, 400);
}

TEST(RequestParserTest, ChunkSizeOverflowingSixtyFourBitsIs400) {
  expect_error(kChunkedHead + "10000000000000000\r\nx\r\n",
               ParseError::bad_chunk, 400);
}

TEST(RequestParserTest, ChunkDataNotFollowedByCrlfIs400) {
  // The two bytes after the chunk data must be CRLF; anything else would
  // let a front proxy and us disagree on where the body ends.
  expect_error(kChunkedHead + "5\r\nhelloXY0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, ChunkDataLongerThanItsSizeIs400) {
  expect_error(kChunkedHead + "3\r\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, ChunkDataFollowedByBareLfIs400) {
  expect_error(kChunkedHead + "5\r\nhello\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, ChunkSizeLineWithBareCrIs400) {
  expect_error(kChunkedHead + "5\rXhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, LastChunkWithBareCrInTrailerSectionIs400) {
  expect_error(kChunkedHead + "0\r\n\rX", ParseError::bad_chunk, 400);
}

TEST(RequestParserTest, ChunkSizeFollowedByJunkIs400) {
  expect_error(kChunkedHead + "5 x\r\nhello\r\n0\r\n\r\n",
               ParseError::bad_chunk, 400);
}

TEST(RequestParserTest, ChunkSizeLineEndingInBareLfIs400) {
  expect_error(kChunkedHead + "5\nhello\r\n0\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, ControlCharacterInChunkExtensionIs400) {
  // http-parser skips any byte up to CR in an extension, LF and NUL too.
  expect_error(kChunkedHead + "5;a\nb\r\nhello\r\n0\r\n\r\n",
               ParseError::bad_chunk, 400);
  expect_error(kChunkedHead + std::string("5;a\0b\r\nhello\r\n0\r\n\r\n", 19),
               ParseError::bad_chunk, 400);
}

TEST(RequestParserTest, BareCrInTrailerFieldIs400) {
  expect_error(kChunkedHead + "0\r\nT: a\rb\r\n\r\n", ParseError::bad_chunk,
               400);
}

TEST(RequestParserTest, TrailerSectionWithBareLfLinesIsAccepted) {
  // The same leniency as for the head (RFC 9112 §2.2).
  const std::string in = kChunkedHead + "1\r\nx\r\n0\r\nT: a\n\n";
  Parsed p = grind(in, kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "x");
  EXPECT_EQ(p.consumed, in.size());
}

TEST(RequestParserTest, LeadingZerosInChunkSizeAreAccepted) {
  Parsed p = grind(kChunkedHead + "0005\r\nhello\r\n00\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "hello");
}

TEST(RequestParserTest, EndlessLeadingZerosInChunkSizeAreBounded) {
  ParserLimits limits{64, 1024};
  expect_error(kChunkedHead + std::string(200, '0') + "5\r\nhello\r\n",
               ParseError::bad_chunk, 400, limits);
}

TEST(RequestParserTest, HugeChunkExtensionIsBounded) {
  // http-parser skips extensions without limit; the wrapper allows them
  // at most max_header_bytes in total.
  ParserLimits limits{64, 1024};
  std::string ext(100, 'e');
  expect_error(kChunkedHead + "5;" + ext + "\r\nhello\r\n0\r\n\r\n",
               ParseError::bad_chunk, 400, limits);
}

TEST(RequestParserTest, ManySmallExtensionsAreBoundedInTotal) {
  ParserLimits limits{64, 1024};
  std::string body;
  for (int i = 0; i < 10; ++i)
    body += "1;abcdefghijklmnopqrstuvwxyz\r\nx\r\n";
  expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body +
                   "0\r\n\r\n",
               ParseError::bad_chunk, 400, limits);
}

TEST(RequestParserTest, HugeTrailerSectionIsBounded) {
  ParserLimits limits{64, 1024};
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Pad: " +
          std::string(100, 'p') + "\r\n\r\n",
      ParseError::bad_chunk, 400, limits);
}

TEST(RequestParserTest, SmallExtensionsWithinTheAllowanceAreAccepted) {
  ParserLimits limits{64, 1024};
  Parsed p = grind(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;a=b\r\nhello\r\n0;c\r\nT: x\r\n\r\n",
      limits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "hello");
}

// ---- limits: 414 / 431 / 413
// -------------------------------------------------

constexpr ParserLimits kSmallHead{64, 16};

TEST(RequestParserTest, HeadOfExactlyTheLimitIsAccepted) {
  std::string in = head_of(64);
  ASSERT_EQ(in.size(), 64u);
  Parsed p = grind(in, kSmallHead);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.consumed, 64u);
}

TEST(RequestParserTest, HeadOneByteOverTheLimitIs431) {
  std::string in = head_of(65);
  ASSERT_EQ(in.size(), 65u);
  expect_error(in, ParseError::headers_too_large, 431, kSmallHead);
}

TEST(RequestParserTest, HeadOverTheLimitIs431BeforeItEnds) {
  // The 431 comes as soon as the limit is passed, not at the end of a head
  // that may never end.
  expect_error("GET / HTTP/1.1\r\nX: " + std::string(200, 'v'),
               ParseError::headers_too_large, 431, kSmallHead);
}

TEST(RequestParserTest, ManySmallFieldsOverTheLimitAre431) {
  std::string in = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 20; ++i)
    in += "A: b\r\n";
  expect_error(in + "\r\n", ParseError::headers_too_large, 431, kSmallHead);
}

TEST(RequestParserTest, RequestLineOfExactlyTheLimitIsNot414) {
  std::string line = request_line_of(64);
  ASSERT_EQ(line.size(), 64u);
  // The line fits; the final CRLF then takes the head over: 431.
  expect_error(line + "\r\n", ParseError::headers_too_large, 431, kSmallHead);
  Parsed p = grind(line + "\r\n", ParserLimits{66, 16});
  EXPECT_TRUE(p.ok()) << p;
}

TEST(RequestParserTest, RequestLineOneByteOverTheLimitIs414) {
  std::string line = request_line_of(65);
  ASSERT_EQ(line.size(), 65u);
  expect_error(line + "\r\n", ParseError::request_line_too_long, 414,
               kSmallHead);
}

TEST(RequestParserTest, EndlessRequestLineIs414BeforeItEnds) {
  expect_error("GET /" + std::string(500, 'a'),
               ParseError::request_line_too_long, 414, kSmallHead);
}

TEST(RequestParserTest, LeadingEmptyLinesCountTowardsTheLimit) {
  expect_error(std::string(70, '\n'), ParseError::request_line_too_long, 414,
               kSmallHead);
}

TEST(RequestParserTest, BodyOfExactlyTheLimitIsAccepted) {
  Parsed p =
      grind("POST / HTTP/1.1\r\nContent-Length: 16\r\n\r\n0123456789abcdef",
            kSmallHead);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body, "0123456789abcdef");
}

TEST(RequestParserTest, ContentLengthOverTheLimitIs413AtHeadTime) {
  // Known from the head alone: no body byte is needed (nor read), so an
  // Expect: 100-continue client gets the 413 at once.
  expect_error(
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 17\r\n\r\n",
      ParseError::body_too_large, 413, kSmallHead);
}

TEST(RequestParserTest, ChunkedBodyOfExactlyTheLimitIsAccepted) {
  Parsed p = grind(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n",
      kSmallHead);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_EQ(p.body.size(), 16u);
}

TEST(RequestParserTest, ChunkedBodyOverTheLimitIs413WhileStreaming) {
  Parsed p = grind(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\n01234567\r\n9\r\n89abcdefg\r\n0\r\n\r\n",
      kSmallHead);
  EXPECT_EQ(p.event, Event::error) << p;
  EXPECT_EQ(p.error, ParseError::body_too_large);
  EXPECT_EQ(p.status(), 413);
  EXPECT_EQ(p.head_events, 1);  // the head was handed over first
}

TEST(RequestParserTest, OneHugeChunkOverTheLimitIs413) {
  expect_error(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "ffffffff\r\n01234567890123456789",
      ParseError::body_too_large, 413, kSmallHead);
}

TEST(RequestParserTest, LimitsApplyPerMessageAfterReset) {
  // Two heads of 60 bytes each: the count restarts with every message.
  std::string a = head_of(60);
  std::vector<Parsed> m = grind_all(a + a, kSmallHead);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_TRUE(m[0].ok() && m[1].ok());
}

TEST(RequestParserTest, SetLimitsTakesEffectAtReset) {
  RequestParser parser(kSmallHead);
  parser.set_limits({1024, 1024});
  parser.reset();
  std::string in = head_of(200);
  RequestParser::Step s = parser.feed(in.data(), in.size());
  EXPECT_EQ(s.event, Event::head_complete);
}

// ---- version: 505
// ------------------------------------------------------------

TEST(RequestParserTest, Http2PrefaceIs505) {
  expect_error("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
               ParseError::version_not_supported, 505);
}

TEST(RequestParserTest, Http20VersionIs505) {
  expect_error("GET / HTTP/2.0\r\nHost: a\r\n\r\n",
               ParseError::version_not_supported, 505);
}

TEST(RequestParserTest, Http30VersionIs505) {
  expect_error("GET / HTTP/3.0\r\nHost: a\r\n\r\n",
               ParseError::version_not_supported, 505);
}

TEST(RequestParserTest, Http9VersionIs505) {
  expect_error("GET / HTTP/9.9\r\n\r\n", ParseError::version_not_supported,
               505);
}

TEST(RequestParserTest, Http2VersionWithBareLfIs505) {
  expect_error("GET / HTTP/2.0\n\n", ParseError::version_not_supported, 505);
}

TEST(RequestParserTest, Http11MinorVersionAboveOneIsAccepted) {
  // RFC 9110 §2.5: a higher minor version is understood as 1.1.
  Parsed p = grind("GET / HTTP/1.2\r\n\r\n", kLimits);
  ASSERT_TRUE(p.ok()) << p;
  EXPECT_TRUE(p.keep_alive);
}

// ---- the error is sticky; reset recovers ---------------------------------

TEST(RequestParserTest, ErrorIsStickyUntilReset) {
  RequestParser parser(kLimits);
  const std::string bad = "GET / HTTP/1.1\r\nHost : a\r\n\r\n";
  RequestParser::Step s = parser.feed(bad.data(), bad.size());
  ASSERT_EQ(s.event, Event::error);
  EXPECT_EQ(parser.error(), ParseError::bad_header);
  const std::string good = "GET / HTTP/1.1\r\n\r\n";
  s = parser.feed(good.data(), good.size());
  EXPECT_EQ(s.event, Event::error);
  EXPECT_EQ(s.consumed, 0u);
  EXPECT_EQ(parser.error(), ParseError::bad_header);
  parser.reset();
  EXPECT_EQ(parser.error(), ParseError::none);
  s = parser.feed(good.data(), good.size());
  EXPECT_EQ(s.event, Event::head_complete);
}

TEST(RequestParserTest, EmptyFeedNeedsMoreAndStartsNothing) {
  RequestParser parser(kLimits);
  RequestParser::Step s = parser.feed("", 0);
  EXPECT_EQ(s.event, Event::need_more);
  EXPECT_EQ(s.consumed, 0u);
  EXPECT_FALSE(parser.started());
}

TEST(RequestParserTest, HeadViewsOutliveTheInputBuffer) {
  // The connection may compact its read buffer between feeds: the head
  // must be the parser's own copy.
  RequestParser parser(kLimits);
  auto a = std::make_unique<std::string>("GET /path HTTP/1.1\r\nHo");
  auto b = std::make_unique<std::string>("st: example\r\nX: y\r\n\r\n");
  EXPECT_EQ(parser.feed(a->data(), a->size()).event, Event::need_more);
  a->assign(a->size(), '#');
  a.reset();
  RequestParser::Step s = parser.feed(b->data(), b->size());
  ASSERT_EQ(s.event, Event::head_complete);
  b->assign(b->size(), '#');
  b.reset();
  EXPECT_EQ(parser.head().target, "/path");
  EXPECT_EQ(parser.head().headers.get("host"), "example");
  EXPECT_EQ(parser.head().headers.get("x"), "y");
}

}  // namespace
}  // namespace gale
