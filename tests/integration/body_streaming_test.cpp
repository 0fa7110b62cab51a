// A handler that streams its request body (data_received, Tornado's
// @stream_request_body) sees every byte once, in pieces no larger than a
// read, never the whole body; refusing it early answers at once and closes
// the connection rather than reading the rest (issue 14).
#include <string>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

std::string fnv(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return std::to_string(h);
}

// A value in the answer of /test/upload ("bytes=N pieces=N ...").
std::string text_field(const std::string& answer, const std::string& name) {
  auto at = answer.find(name + "=");
  if (at == std::string::npos) return {};
  at += name.size() + 1;
  return answer.substr(at, answer.find(' ', at) - at);
}
long long field(const std::string& answer, const std::string& name) {
  std::string value = text_field(answer, name);
  return value.empty() ? -1 : std::stoll(value);
}

std::string put_head(std::size_t length, const std::string& fields = "") {
  return "PUT /test/upload HTTP/1.1\r\nHost: t\r\n" + fields +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

class BodyStreamingTest : public GaleTest {};

TEST_F(BodyStreamingTest, EveryByteOnceInPiecesAndNeverWhole) {
  const std::string body = patterned_bytes(8 << 20);
  HttpClient c = connect();
  ASSERT_TRUE(c.send(put_head(body.size()) + body));
  auto r = c.read_response(20s);
  ASSERT_TRUE(r) << c.error();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(field(r->body, "bytes"), 8 << 20);
  EXPECT_EQ(text_field(r->body, "fnv"), fnv(body));
  EXPECT_GT(field(r->body, "pieces"), 8);
  EXPECT_LE(field(r->body, "largest"), 65536);  // a read, not the body
  EXPECT_EQ(field(r->body, "body"), 0);
  // The connection goes on to the next request.
  ASSERT_TRUE(c.send(put_head(3) + "abc"));
  auto next = c.read_response(5s);
  ASSERT_TRUE(next) << c.error();
  EXPECT_EQ(field(next->body, "bytes"), 3);
}

TEST_F(BodyStreamingTest, ChunkedBodiesStreamToo) {
  auto r = fetch_ok(
      "POST /test/upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "\r\n5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(field(r.body, "bytes"), 11);
  EXPECT_EQ(text_field(r.body, "fnv"), fnv("hello world"));
}

TEST_F(BodyStreamingTest, RefusedInPrepareBeforeTheBodyThenClosed) {
  HttpClient c = connect();
  // Only the head: the answer must not wait for a body.
  ASSERT_TRUE(c.send(put_head(1 << 20, "X-Refuse: 1\r\n")));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed(5s));
}

TEST_F(BodyStreamingTest, RefusedWithExpectContinueGetsNo100) {
  HttpClient c = connect();
  ASSERT_TRUE(
      c.send(put_head(1000, "Expect: 100-continue\r\nX-Refuse: 1\r\n")));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 403);  // the final status, not 100
}

TEST_F(BodyStreamingTest, AcceptedWithExpectContinueGets100ThenTheAnswer) {
  HttpClient c = connect();
  ASSERT_TRUE(c.send(put_head(5, "Expect: 100-continue\r\n")));
  auto interim = c.read_response(5s);
  ASSERT_TRUE(interim) << c.error();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("12345"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(field(r->body, "bytes"), 5);
}

TEST_F(BodyStreamingTest, RefusedMidwayAnswersAtOnceAndHarmsNoOther) {
  HttpClient c = connect();
  const std::string part = patterned_bytes(200000);
  ASSERT_TRUE(c.send(put_head(4 << 20, "X-Limit: 100000\r\n") + part));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("Connection"), "close");
  auto other = fetch_ok(put_head(2) + "ok");
  EXPECT_EQ(field(other.body, "bytes"), 2);
}

}  // namespace
}  // namespace gale::itest
