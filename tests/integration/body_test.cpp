// Request bodies end to end: Content-Length and chunked echo byte for byte,
// and the 413 of a body over max_body_bytes, which the client must be able
// to read even while it is still sending (lingering close).
#include <random>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

class BodyTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml =
        "limits:\n"
        "  max_body_bytes: 8388608\n";  // 8 MiB
    return o;
  }
};

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; i += 4) {
    std::uint32_t v = gen();
    for (std::size_t k = 0; k < 4 && i + k < n; ++k)
      s[i + k] = static_cast<char>(v >> (8 * k));
  }
  return s;
}

// `body` as a chunked message body, in chunks of varied sizes, some with
// extensions, followed by trailer fields.
std::string chunked(const std::string& body, std::uint32_t seed,
                    bool with_extensions = true, bool with_trailers = true) {
  static const std::size_t kSizes[] = {1,     2,     7,      100,    1000,
                                       4095,  4096,  4097,   16384,  65535,
                                       65536, 65537, 100000, 262144, 1048576};
  std::mt19937 gen(seed);
  std::string out;
  std::size_t pos = 0;
  int i = 0;
  char hex[32];
  while (pos < body.size()) {
    std::size_t n =
        std::min(kSizes[gen() % std::size(kSizes)], body.size() - pos);
    // Upper and lower case hex digits, and leading zeros, are all valid.
    std::snprintf(hex, sizeof hex,
                  i % 3 == 0 ? "%zx" : (i % 3 == 1 ? "%zX" : "00%zx"), n);
    out += hex;
    if (with_extensions && i % 4 == 1) out += ";name=value";
    if (with_extensions && i % 4 == 2) out += ";flag;q=\"quoted\"";
    out += "\r\n";
    out.append(body, pos, n);
    out += "\r\n";
    pos += n;
    ++i;
  }
  out += "0";
  if (with_extensions) out += ";last=1";
  out += "\r\n";
  if (with_trailers) out += "X-Checksum: abc\r\nX-Other: 1\r\n";
  out += "\r\n";
  return out;
}

TEST_F(BodyTest, ContentLengthEchoOf1MiB) {
  std::string body = random_bytes(1 << 20, 1);
  HttpClient c = connect();
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\n"
             "Content-Type: application/octet-stream\r\n"
             "Content-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body))
      << c.error();
  auto r = c.read_response(10s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(body.size()));
  EXPECT_TRUE(same_bytes(body, r->body));
}

TEST_F(BodyTest, ChunkedEchoOf5MiBBinaryComesBackByteForByte) {
  std::string body = random_bytes(5 << 20, 42);
  HttpClient c = connect();
  ASSERT_TRUE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\n"
             "Content-Type: application/x-random\r\n"
             "Transfer-Encoding: chunked\r\n\r\n" +
             chunked(body, 7)))
      << c.error();
  auto r = c.read_response(15s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "application/x-random");
  EXPECT_EQ(r->body.size(), body.size());
  EXPECT_TRUE(same_bytes(body, r->body));
  // The connection stays in sync: the next request on it works.
  ASSERT_TRUE(c.send("GET /hello/next HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next) << describe(c.last_end());
  EXPECT_EQ(next->body, "Hello, next");
}

TEST_F(BodyTest, ChunkedEchoSentInSmallPieces) {
  // Split points fall inside sizes, extensions, CRLFs and trailers.
  std::string body = random_bytes(3000, 3);
  std::string wire =
      "POST /echo HTTP/1.1\r\nHost: t\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      chunked(body, 5);
  HttpClient c = connect();
  ASSERT_TRUE(c.send_slowly(wire, 97, 1ms)) << c.error();
  auto r = c.read_response(10s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_TRUE(same_bytes(body, r->body));
}

TEST_F(BodyTest, PipelinedChunkedBodiesStayInSync) {
  std::string a = random_bytes(10000, 10), b = random_bytes(20000, 11);
  std::string head =
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  HttpClient c = send(head + chunked(a, 1) + head + chunked(b, 2) +
                      "GET /hello/third HTTP/1.1\r\nHost: t\r\n\r\n");
  auto rs = c.read_responses(3, 10s);
  ASSERT_EQ(rs.size(), 3u) << describe(c.last_end());
  EXPECT_TRUE(same_bytes(a, rs[0].body));
  EXPECT_TRUE(same_bytes(b, rs[1].body));
  EXPECT_EQ(rs[2].body, "Hello, third");
}

TEST_F(BodyTest, Http10ChunkedBodyIsEchoedThenClosed) {
  HttpClient c = send(
      "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->body, "abc");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

// The 413 for a body over the limit must reach a client that goes on
// sending the body it announced: the server answers, then keeps reading
// (and discarding) for a while before closing, instead of closing with
// unread data (which makes the kernel send a reset that destroys the
// response in the client's receive buffer).
void expect_413_while_sending(HttpClient& c, const std::string& head,
                              const std::string& body) {
  ASSERT_TRUE(c.send(head)) << c.error();
  // Send the whole body, as a simple client (curl without Expect) does,
  // before looking at the response.
  bool sent_all = c.send(body);
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << "the client could not read the 413 ("
                 << describe(c.last_end()) << "; send "
                 << (sent_all ? "completed" : "failed: " + c.error()) << ")";
  EXPECT_EQ(r->status_line, "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(r->header("Connection"), "close");
  expect_date_and_server(*r);
  EXPECT_TRUE(sent_all) << "the server stopped reading: " << c.error();
  EXPECT_TRUE(c.wait_closed(3s));
}

// The bodies are far larger than the limit plus what socket buffers on
// loopback hold (a few MiB), so a server that stops reading makes the
// client's send fail.
TEST_F(BodyTest, ContentLengthOverTheLimitIs413EvenWhileSending) {
  std::string body = random_bytes(24 << 20, 9);
  HttpClient c = connect();
  expect_413_while_sending(
      c,
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n",
      body);
}

TEST_F(BodyTest, ChunkedOverTheLimitIs413EvenWhileSending) {
  std::string body = random_bytes(32 << 20, 8);
  HttpClient c = connect();
  expect_413_while_sending(
      c, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
      chunked(body, 3, false, false));
}

TEST_F(BodyTest, BodyExactlyAtTheLimitIsAccepted) {
  std::string body = random_bytes(8 << 20, 4);
  HttpClient c = connect();
  ASSERT_TRUE(c.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body));
  auto r = c.read_response(15s);
  ASSERT_TRUE(r) << describe(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(same_bytes(body, r->body));
}

TEST_F(BodyTest, ServerKeepsServingAfterA413) {
  {
    HttpClient c = connect();
    expect_413_while_sending(
        c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9000000\r\n\r\n",
        std::string(9000000, 'x'));
  }
  auto r = get(port(), "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Hello, world");
}

}  // namespace
}  // namespace gale::itest
