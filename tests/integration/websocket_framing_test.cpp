// SPEC §3 WebSocket, framing against the real binary (RFC 6455 §5): /ws/echo
// at the length-encoding boundaries, fragments with a control frame in
// between, every split of the input, and each protocol error a real client
// would never send, answered with its exact close code before TCP ends.
#include <algorithm>
#include <thread>

#include "tests/support/wait.hpp"

#include "tests/support/gale_test.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

std::string pattern(std::size_t n, bool binary) {
  std::string s(n, 'a');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = binary ? static_cast<char>((i * 31 + 7) & 0xFF)
                  : static_cast<char>('a' + i % 26);
  return s;
}

class WebSocketFramingTest : public GaleTest {
 protected:
  WsClient open_echo() {
    WsClient c;
    EXPECT_TRUE(c.open(port())) << c.error();
    return c;
  }
  // The next frame is a close with `code`, then the server ends TCP.
  void expect_close(WsClient& c, int code) {
    auto f = c.read_frame(5s);
    ASSERT_TRUE(f) << "no close frame: " << describe(c.last_end());
    EXPECT_EQ(f->opcode, ws_op::close) << describe(*f);
    EXPECT_EQ(f->close_code(), code) << describe(*f);
    EXPECT_FALSE(f->masked);
    EXPECT_TRUE(c.wait_closed(10s)) << describe(c.last_end());
  }
  // `bytes` on a fresh socket is answered with close `code`.
  void expect_refused(std::string_view bytes, int code) {
    WsClient c = open_echo();
    ASSERT_TRUE(c.send_raw(bytes));
    expect_close(c, code);
  }
  // The next frame is an unmasked final data frame carrying `payload`.
  void expect_frame(WsClient& c, std::uint8_t opcode,
                    const std::string& payload) {
    auto f = c.read_frame(10s);
    ASSERT_TRUE(f) << describe(c.last_end());
    EXPECT_EQ(f->opcode, opcode) << describe(*f);
    EXPECT_TRUE(f->fin);
    EXPECT_EQ(f->rsv, 0);
    EXPECT_FALSE(f->masked);
    EXPECT_TRUE(f->payload == payload) << "payload of " << f->payload.size()
                                       << " bytes, expected " << payload.size();
  }
};

TEST_F(WebSocketFramingTest, EchoesTextAndBinaryAtEveryLengthBoundary) {
  WsClient c = open_echo();
  for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 1048575u}) {
    for (bool binary : {false, true}) {
      SCOPED_TRACE(std::to_string(n) + (binary ? " binary" : " text"));
      const std::string p = pattern(n, binary);
      ASSERT_TRUE(c.send(binary ? ws_op::binary : ws_op::text, p));
      expect_frame(c, binary ? ws_op::binary : ws_op::text, p);
    }
  }
}

TEST_F(WebSocketFramingTest, FragmentsWithAPingBetweenArePongedThenEchoed) {
  WsClient c = open_echo();
  ASSERT_TRUE(c.send_raw(ws_frame(ws_op::text, "Hel", {.fin = false}) +
                         ws_frame(ws_op::ping, "p1") +
                         ws_frame(ws_op::continuation, "lo ", {.fin = false}) +
                         ws_frame(ws_op::continuation, "world")));
  expect_frame(c, ws_op::pong, "p1");
  expect_frame(c, ws_op::text, "Hello world");
  // A binary message in three pieces, the last one empty.
  ASSERT_TRUE(c.send_raw(ws_frame(ws_op::binary, "\x01\x02", {.fin = false}) +
                         ws_frame(ws_op::continuation, "\xff", {.fin = false}) +
                         ws_frame(ws_op::continuation, "")));
  expect_frame(c, ws_op::binary, "\x01\x02\xff");
}

TEST_F(WebSocketFramingTest, UtfEightSplitAcrossFragmentsIsEchoed) {
  WsClient c = open_echo();
  // U+20AC (E2 82 AC) and U+1F600 (F0 9F 98 80), cut inside each.
  ASSERT_TRUE(
      c.send_raw(ws_frame(ws_op::text, "a\xE2\x82", {.fin = false}) +
                 ws_frame(ws_op::continuation, "\xAC\xF0", {.fin = false}) +
                 ws_frame(ws_op::continuation, "\x9F", {.fin = false}) +
                 ws_frame(ws_op::continuation, "\x98\x80z")));
  expect_frame(c, ws_op::text, "a\xE2\x82\xAC\xF0\x9F\x98\x80z");
}

TEST_F(WebSocketFramingTest, ProtocolErrorsClose1002) {
  const std::string bytes_126(126, 'x');
  const std::pair<const char*, std::string> cases[] = {
      {"unmasked", ws_frame(ws_op::text, "hi", {.mask = false})},
      {"RSV1", ws_frame(ws_op::text, "hi", {.rsv = 4})},
      {"RSV2", ws_frame(ws_op::text, "hi", {.rsv = 2})},
      {"RSV3", ws_frame(ws_op::binary, "hi", {.rsv = 1})},
      {"opcode 3", ws_frame(0x3, "hi")},
      {"opcode 0xB", ws_frame(0xB, "")},
      {"ping of 126 bytes", ws_frame(ws_op::ping, bytes_126)},
      {"fragmented ping", ws_frame(ws_op::ping, "p", {.fin = false})},
      {"continuation first", ws_frame(ws_op::continuation, "x")},
      {"text inside a message",
       ws_frame(ws_op::text, "a", {.fin = false}) + ws_frame(ws_op::text, "b")},
      {"close of 1 byte", ws_frame(ws_op::close, "\x03")},
      {"close code 1005", ws_frame(ws_op::close, ws_close_payload(1005))},
      {"close code 1006", ws_frame(ws_op::close, ws_close_payload(1006))},
      {"close code 999", ws_frame(ws_op::close, ws_close_payload(999))},
      {"close code 5000", ws_frame(ws_op::close, ws_close_payload(5000))},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    expect_refused(bytes, 1002);
  }
}

TEST_F(WebSocketFramingTest, InvalidUtfEightCloses1007) {
  const std::pair<const char*, std::string> cases[] = {
      {"0xFF", ws_frame(ws_op::text, "ok\xff")},
      {"overlong /", ws_frame(ws_op::text, "\xc0\xaf")},
      {"surrogate", ws_frame(ws_op::text, "\xed\xa0\x80")},
      {"over U+10FFFF", ws_frame(ws_op::text, "\xf4\x90\x80\x80")},
      {"truncated at the end", ws_frame(ws_op::text, "a\xE2\x82")},
      {"truncated across fragments",
       ws_frame(ws_op::text, "a\xE2", {.fin = false}) +
           ws_frame(ws_op::continuation, "b")},
      // Fails on the bytes already seen: the message never ends.
      {"bad start of an unfinished message",
       ws_frame(ws_op::text, "ok\xff", {.fin = false})},
      {"close reason", ws_frame(ws_op::close, ws_close_payload(1000, "\xff"))},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    expect_refused(bytes, 1007);
  }
}

TEST_F(WebSocketFramingTest, ValidMessagesSurviveEverySplit) {
  const std::string input =
      ws_frame(ws_op::text, "caf\xc3\xa9 ", {.fin = false}) +
      ws_frame(ws_op::ping, "x") +
      ws_frame(ws_op::continuation, pattern(130, false)) +
      ws_frame(ws_op::binary, pattern(200, true));
  const std::string text = "caf\xc3\xa9 " + pattern(130, false);
  WsClient c = open_echo();
  // Byte by byte, each byte its own write.
  for (char b : input) {
    ASSERT_TRUE(c.send_raw(std::string_view(&b, 1)));
    std::this_thread::sleep_for(200us);
  }
  expect_frame(c, ws_op::pong, "x");
  expect_frame(c, ws_op::text, text);
  expect_frame(c, ws_op::binary, pattern(200, true));
  // In two writes, cut at every byte.
  for (std::size_t cut = 1; cut < input.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ASSERT_TRUE(c.send_raw(std::string_view(input).substr(0, cut)));
    std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(c.send_raw(std::string_view(input).substr(cut)));
    expect_frame(c, ws_op::pong, "x");
    expect_frame(c, ws_op::text, text);
    expect_frame(c, ws_op::binary, pattern(200, true));
    if (HasFatalFailure()) return;
  }
}

// Two small messages in one write are echoed as two frames; the second
// must not wait for the first one's ACK (Nagle's algorithm against the
// client's delayed ACK, ~40 ms each time): a WebSocket needs TCP_NODELAY,
// as Tornado sets on its streams. Not a speed bound: a stalled round trip
// takes 40 ms or more, an unstalled one well under a millisecond, and the
// median of 30 only has to be under 20 ms.
TEST_F(WebSocketFramingTest, SmallEchoesAreNotHeldBackByNagle) {
  WsClient c = open_echo();
  std::vector<double> ms;
  for (int i = 0; i < 30; ++i) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        c.send_raw(ws_frame(ws_op::text, "a") + ws_frame(ws_op::text, "b")));
    for (const char* want : {"a", "b"}) {
      auto m = c.read_message();
      ASSERT_TRUE(m) << describe(c.last_end());
      ASSERT_EQ(m->payload, want);
    }
    ms.push_back(elapsed_ms(start));
  }
  std::nth_element(ms.begin(), ms.begin() + 15, ms.end());
  EXPECT_LT(ms[15], 20.0) << "median round trip of two small echoes, ms";
}

class WebSocketMessageLimitTest : public WebSocketFramingTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml = "websocket:\n  max_message_bytes: 1000\n";
    return o;
  }
  // The header of a masked text frame announcing `n` bytes (no payload).
  static std::string header_only(std::uint8_t opcode, std::size_t n,
                                 bool fin = true) {
    std::string f = ws_frame(opcode, std::string(n, 'a'), {.fin = fin});
    return f.substr(0, f.size() - n);
  }
};

TEST_F(WebSocketMessageLimitTest, AtTheLimitIsEchoed) {
  WsClient c = open_echo();
  ASSERT_TRUE(c.send_text(pattern(1000, false)));
  expect_frame(c, ws_op::text, pattern(1000, false));
}

// The close comes while the body is still unsent: the server decided on
// the header alone.
TEST_F(WebSocketMessageLimitTest, OverTheLimitCloses1009OnTheHeader) {
  expect_refused(header_only(ws_op::text, 1001), 1009);
  expect_refused(header_only(ws_op::binary, 1u << 20), 1009);
  std::string huge = "\x82\xff";  // 64-bit length 2^40, masked
  huge += std::string("\x00\x00\x01\x00\x00\x00\x00\x00", 8) + "abcd";
  expect_refused(huge, 1009);
}

TEST_F(WebSocketMessageLimitTest, FragmentsOverTheLimitClose1009) {
  expect_refused(ws_frame(ws_op::text, pattern(600, false), {.fin = false}) +
                     header_only(ws_op::continuation, 401),
                 1009);
}

}  // namespace
}  // namespace gale::itest
