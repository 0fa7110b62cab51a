// SPEC §3 WebSocket, the opening handshake against the real binary (RFC
// 6455 §4.2): the accept key, every refusal with its status, the Origin
// rules of websocket.allowed_origins, and frames that arrive in the same
// write as the handshake.
#include "tests/support/gale_test.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

// A handshake request whose every line can be changed or dropped ("").
struct Handshake {
  std::string method = "GET";
  std::string target = "/ws/echo";
  std::string host = "Host: 127.0.0.1\r\n";
  std::string upgrade = "Upgrade: websocket\r\n";
  std::string connection = "Connection: Upgrade\r\n";
  std::string version = "Sec-WebSocket-Version: 13\r\n";
  std::string key = "Sec-WebSocket-Key: " + std::string(kWsExampleKey) + "\r\n";
  std::string extra;

  std::string str() const {
    return method + " " + target + " HTTP/1.1\r\n" + host + upgrade +
           connection + version + key + extra + "\r\n";
  }
};

Handshake with_origin(const std::string& origin) {
  Handshake h;
  h.extra = "Origin: " + origin + "\r\n";
  return h;
}

class WebSocketHandshakeTest : public GaleTest {
 protected:
  // The status the server answers `h` with (0: no response).
  int status_of(const Handshake& h) {
    auto r = fetch(port(), h.str());
    if (!r) return 0;
    last_ = *r;
    return r->status;
  }
  HttpResponse last_;
};

TEST_F(WebSocketHandshakeTest, AcceptKeyIsTheRfcExample) {
  WsClient c;
  ASSERT_TRUE(c.open(port())) << c.error();
  const HttpResponse& r = c.response();
  EXPECT_EQ(r.status_line, "HTTP/1.1 101 Switching Protocols");
  EXPECT_EQ(r.header("Sec-WebSocket-Accept"), kWsExampleAccept);
  EXPECT_TRUE(iequals(r.header("Upgrade"), "websocket"));
  EXPECT_TRUE(has_token(r.header("Connection"), "upgrade"));
  EXPECT_FALSE(r.has_header("Sec-WebSocket-Protocol"));
  ASSERT_TRUE(c.send_text("hi"));
  auto m = c.read_message();
  ASSERT_TRUE(m) << describe(c.last_end());
  EXPECT_EQ(m->payload, "hi");
}

TEST_F(WebSocketHandshakeTest, TokenListsAndCaseAreAccepted) {
  Handshake h;
  h.upgrade = "Upgrade: WebSocket\r\n";
  h.connection = "Connection: keep-alive, UPGRADE\r\n";
  EXPECT_EQ(status_of(h), 101) << last_.raw;
  EXPECT_EQ(last_.header("Sec-WebSocket-Accept"), kWsExampleAccept);
}

TEST_F(WebSocketHandshakeTest, MissingOrBadFieldsAre400) {
  struct Case {
    const char* name;
    std::string Handshake::*field;
    std::string value;
  };
  const Case cases[] = {
      {"no Upgrade", &Handshake::upgrade, ""},
      {"Upgrade: h2c", &Handshake::upgrade, "Upgrade: h2c\r\n"},
      {"no Connection", &Handshake::connection, ""},
      {"Connection: keep-alive", &Handshake::connection,
       "Connection: keep-alive\r\n"},
      {"no key", &Handshake::key, ""},
      {"short key", &Handshake::key, "Sec-WebSocket-Key: abc=\r\n"},
      {"key of 15 bytes", &Handshake::key,
       "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n"},
      {"key not base64", &Handshake::key,
       "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Handshake h;
    h.*c.field = c.value;
    EXPECT_EQ(status_of(h), 400) << last_.raw;
    EXPECT_FALSE(last_.has_header("Sec-WebSocket-Accept"));
  }
}

TEST_F(WebSocketHandshakeTest, OtherVersionsAre426WithVersion13) {
  for (std::string version : {"Sec-WebSocket-Version: 8\r\n", ""}) {
    SCOPED_TRACE(version);
    Handshake h;
    h.version = version;
    EXPECT_EQ(status_of(h), 426) << last_.raw;
    EXPECT_EQ(last_.header("Sec-WebSocket-Version"), "13");
  }
}

TEST_F(WebSocketHandshakeTest, OriginMustBeTheSameHostByDefault) {
  EXPECT_EQ(status_of(with_origin("http://evil.example")), 403) << last_.raw;
  EXPECT_EQ(status_of(with_origin("http://127.0.0.1.evil.example")), 403);
  EXPECT_EQ(status_of(with_origin("http://127.0.0.1")), 101) << last_.raw;
  EXPECT_EQ(status_of(Handshake{}), 101) << last_.raw;  // no Origin
}

TEST_F(WebSocketHandshakeTest, PostIs405) {
  Handshake h;
  h.method = "POST";
  h.extra = "Content-Length: 0\r\n";
  EXPECT_EQ(status_of(h), 405) << last_.raw;
}

TEST_F(WebSocketHandshakeTest, FramesInTheHandshakeWriteAreAnswered) {
  WsClient c;
  const std::string frames = ws_frame(ws_op::text, "early") +
                             ws_frame(ws_op::ping, "p") +
                             ws_frame(ws_op::binary, "bird");
  ASSERT_TRUE(c.open(port(), "/ws/echo", {}, frames)) << c.error();
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::text) << describe(*f);
  EXPECT_EQ(f->payload, "early");
  f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::pong) << describe(*f);
  EXPECT_EQ(f->payload, "p");
  f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::binary) << describe(*f);
  EXPECT_EQ(f->payload, "bird");
}

class WebSocketOriginListTest : public WebSocketHandshakeTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml = "websocket:\n  allowed_origins: [\"http://a.example\"]\n";
    return o;
  }
};

TEST_F(WebSocketOriginListTest, OnlyListedOriginsAreAllowed) {
  EXPECT_EQ(status_of(with_origin("http://a.example")), 101) << last_.raw;
  EXPECT_EQ(status_of(with_origin("http://b.example")), 403) << last_.raw;
  EXPECT_EQ(status_of(with_origin("https://a.example")), 403) << last_.raw;
  // The list replaces the same-host rule.
  EXPECT_EQ(status_of(with_origin("http://127.0.0.1")), 403) << last_.raw;
  EXPECT_EQ(status_of(Handshake{}), 101) << last_.raw;
}

}  // namespace
}  // namespace gale::itest
