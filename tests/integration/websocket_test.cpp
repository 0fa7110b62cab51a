// SPEC §3 WebSocket, a socket's life against the real binary: the close
// handshake from either side (a client's close, a draining server's 1001),
// a client that vanishes with a reset, and the keep-alive pings of
// websocket.ping_interval_s / ping_timeout_s.
#include <csignal>
#include <thread>

#include "tests/support/gale_test.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

class WebSocketTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml = yaml();
    return o;
  }
  // close_timeout is long, so a TCP end that comes soon is the server's
  // own decision, not the timeout.
  virtual std::string yaml() { return "websocket:\n  close_timeout_s: 30\n"; }

  WsClient open_echo(int rcvbuf = 0) {
    WsClient c;
    c.set_receive_buffer(rcvbuf);
    EXPECT_TRUE(c.open(port())) << c.error();
    return c;
  }
  long long connections() {
    return info_field(port(), "connections").value_or(-1);
  }
  // Until GET /info says `n` connections (its own included).
  bool connections_become(long long n, Millis timeout = 10s) {
    bool ok = wait_until([&] { return connections() == n; }, timeout, 50ms);
    EXPECT_TRUE(ok) << "connections: " << connections() << ", expected " << n;
    return ok;
  }
  void expect_echo(WsClient& c, const std::string& text) {
    ASSERT_TRUE(c.send_text(text));
    auto m = c.read_message();
    ASSERT_TRUE(m) << describe(c.last_end());
    EXPECT_EQ(m->payload, text);
  }
};

TEST_F(WebSocketTest, ClientCloseIsEchoedThenTheServerEndsTcp) {
  WsClient c = open_echo();
  ASSERT_TRUE(c.send_close(1000, "bye"));
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::close) << describe(*f);
  EXPECT_EQ(f->close_code(), 1000) << describe(*f);
  EXPECT_FALSE(f->masked);
  EXPECT_TRUE(c.wait_closed(10s)) << describe(c.last_end());
  EXPECT_EQ(c.discarded_frames, 0u);
}

TEST_F(WebSocketTest, ACloseWithoutACodeIsNeverAnsweredWith1005) {
  WsClient c = open_echo();
  ASSERT_TRUE(c.send(ws_op::close, ""));
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  ASSERT_EQ(f->opcode, ws_op::close) << describe(*f);
  // An empty close, or a code that may be on the wire (§7.4.1).
  EXPECT_TRUE(f->payload.empty() || f->close_code() == 1000) << describe(*f);
  EXPECT_TRUE(c.wait_closed(10s)) << describe(c.last_end());
}

TEST_F(WebSocketTest, NothingIsEchoedAfterTheClientsClose) {
  WsClient c = open_echo();
  ASSERT_TRUE(c.send_raw(ws_frame(ws_op::text, "before") +
                         ws_frame(ws_op::close, ws_close_payload(1000)) +
                         ws_frame(ws_op::text, "after")));
  auto m = c.read_message();
  ASSERT_TRUE(m) << describe(c.last_end());
  EXPECT_EQ(m->payload, "before");
  EXPECT_FALSE(c.read_message());
  ASSERT_TRUE(c.last_close()) << "no close: " << describe(c.last_end());
  EXPECT_EQ(c.last_close()->close_code(), 1000);
  EXPECT_TRUE(c.wait_closed(10s));
  EXPECT_EQ(c.discarded_frames, 0u);
}

TEST_F(WebSocketTest, AVanishedClientIsCleanedUp) {
  const long long baseline = connections();
  ASSERT_GT(baseline, 0);
  WsClient idle = open_echo();
  WsClient mid_frame = open_echo();
  WsClient mid_message = open_echo();
  ASSERT_TRUE(connections_become(baseline + 3));
  idle.close(/*reset=*/true);
  ASSERT_TRUE(connections_become(baseline + 2));
  // Half a frame: the server holds a parser for it.
  const std::string frame = ws_frame(ws_op::text, std::string(300, 'x'));
  ASSERT_TRUE(mid_frame.send_raw(frame.substr(0, 100)));
  std::this_thread::sleep_for(50ms);
  mid_frame.close(true);
  ASSERT_TRUE(connections_become(baseline + 1));
  // Half a message: the server holds its first fragment.
  ASSERT_TRUE(mid_message.send(ws_op::text, "first", {.fin = false}));
  std::this_thread::sleep_for(50ms);
  mid_message.close(true);
  ASSERT_TRUE(connections_become(baseline));
  WsClient after = open_echo();
  expect_echo(after, "still serving");
}

class WebSocketDrainTest : public WebSocketTest {
 protected:
  // A drain that ends long before graceful_timeout_s ended because the
  // sockets closed, not because the time ran out.
  std::string yaml() override {
    return "workers_policy:\n  graceful_timeout_s: 30\n"
           "websocket:\n  close_timeout_s: 30\n";
  }
};

TEST_F(WebSocketDrainTest, SigtermFlushesThenCloses1001AndTheServerExits) {
  WsClient idle = open_echo();
  expect_echo(idle, "hello");
  // A big echo held back by a small receive buffer: still queued at the
  // server when the drain begins.
  WsClient busy = open_echo(4096);
  const std::string big(1048575, 'b');
  ASSERT_TRUE(busy.send_text(big));
  ASSERT_TRUE(wait_until([&] { return !busy.quiet(10ms); }, 10s))
      << "the echo never started";
  server().signal(SIGTERM);
  for (WsClient* c : {&idle, &busy}) {
    if (c == &busy) {
      auto m = c->read_message(10s);
      ASSERT_TRUE(m) << "echo not flushed: " << describe(c->last_end());
      EXPECT_TRUE(m->payload == big) << m->payload.size() << " bytes";
    }
    auto f = c->read_frame(10s);
    ASSERT_TRUE(f) << describe(c->last_end());
    EXPECT_EQ(f->opcode, ws_op::close) << describe(*f);
    EXPECT_EQ(f->close_code(), 1001) << describe(*f);
    ASSERT_TRUE(c->send_close(1001));
    EXPECT_TRUE(c->wait_closed(10s)) << describe(c->last_end());
  }
  auto status = server().wait_exit(15s);
  ASSERT_TRUE(status) << "the server did not exit once its sockets closed";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  EXPECT_EQ(server().count_in_log("graceful timeout"), 0u);
}

class WebSocketPingTest : public WebSocketTest {
 protected:
  std::string yaml() override {
    return "websocket:\n  ping_interval_s: 0.5\n  ping_timeout_s: 0.5\n";
  }
};

TEST_F(WebSocketPingTest, AnIdleClientIsPinged) {
  WsClient c = open_echo();
  auto f = c.read_frame(10s);
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::ping) << describe(*f);
  EXPECT_TRUE(f->fin);
  EXPECT_LE(f->payload.size(), 125u);
}

TEST_F(WebSocketPingTest, AClientThatNeverAnswersIsDropped) {
  const long long baseline = connections();
  WsClient c = open_echo();
  ASSERT_TRUE(connections_become(baseline + 1));
  // Reads (and so sees the pings) but never answers.
  EXPECT_TRUE(c.wait_closed(15s)) << describe(c.last_end());
  EXPECT_GE(c.discarded_frames, 1u);
  connections_become(baseline);
}

TEST_F(WebSocketPingTest, AClientThatAnswersStaysOpen) {
  WsClient c = open_echo();
  int pings = 0;
  const auto until = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < until) {
    auto f = c.read_frame(500ms);
    if (!f) {
      ASSERT_EQ(c.last_end(), Outcome::timeout) << "the server closed";
      continue;
    }
    ASSERT_EQ(f->opcode, ws_op::ping) << describe(*f);
    ++pings;
    ASSERT_TRUE(c.send(ws_op::pong, f->payload));
  }
  EXPECT_GE(pings, 2);
  expect_echo(c, "alive");
}

}  // namespace
}  // namespace gale::itest
