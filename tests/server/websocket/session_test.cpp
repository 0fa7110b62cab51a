// Session over a socketpair, on a real loop: the frames on the wire and
// the events its owner hears, with the peer's bytes cut at every point.
#include "server/websocket/session.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "server/websocket/sessions.hpp"
#include "tests/server/websocket/frame_harness.hpp"

namespace gale::websocket {
namespace {

using testing::client_frame;
using testing::close_body;
using namespace std::chrono_literals;

struct Recorder : SessionEvents {
  std::vector<std::string> events;
  std::function<void(std::string_view, bool)> on_message;
  void session_open() override { events.push_back("open"); }
  void session_message(std::string_view data, bool binary) override {
    events.push_back((binary ? "binary:" : "text:") + std::string(data));
    if (on_message) on_message(data, binary);
  }
  void session_pong(std::string_view p) override {
    events.push_back("pong:" + std::string(p));
  }
  void session_closed(CloseCode code, std::string_view reason) override {
    events.push_back("closed:" + std::to_string(to_int(code)) + ":" +
                     std::string(reason));
  }
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server_fd_ = fds[0];
    peer_ = fds[1];
  }
  void TearDown() override { ::close(peer_); }

  std::shared_ptr<Session> open(SessionOptions options = {}) {
    sessions_.emplace(loop_, std::move(options));
    session_ = sessions_->open(server_fd_, recorder_);
    session_->start("HEAD", {});
    return session_;
  }
  void run() {
    loop_.restart();
    loop_.run_for(50ms);
  }
  void send(std::string_view bytes) {
    ASSERT_EQ(::write(peer_, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  // Everything the server wrote so far (non-blocking).
  std::string received() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(peer_, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  boost::asio::io_context loop_;
  std::optional<Sessions> sessions_;
  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
  std::shared_ptr<Session> session_;
  int server_fd_ = -1;
  int peer_ = -1;
};

// Server frames, unmasked, as the client reads them.
std::string server_frame(Opcode op, std::string_view payload) {
  return client_frame(op, payload, {.masked = false});
}

TEST_F(SessionTest, WritesTheHandshakeFirstThenOpens) {
  recorder_->on_message = nullptr;
  open();
  EXPECT_EQ(received(), "HEAD");
  EXPECT_EQ(recorder_->events, std::vector<std::string>{"open"});
}

TEST_F(SessionTest, AMessageCutAtEveryPointArrivesOnce) {
  const std::string frame = client_frame(Opcode::text, "hello, world");
  for (std::size_t cut = 1; cut < frame.size(); ++cut) {
    SetUp();
    recorder_ = std::make_shared<Recorder>();
    open();
    send(frame.substr(0, cut));
    run();
    send(frame.substr(cut));
    run();
    ASSERT_EQ(recorder_->events,
              (std::vector<std::string>{"open", "text:hello, world"}))
        << "cut at " << cut;
    session_->abort();
    run();
    TearDown();
  }
}

TEST_F(SessionTest, EchoesFromTheMessageCallback) {
  open();
  recorder_->on_message = [this](std::string_view d, bool b) {
    session_->send(d, b);
  };
  received();
  send(client_frame(Opcode::binary, std::string(70000, 'b')));
  run();
  run();
  EXPECT_EQ(received(), server_frame(Opcode::binary, std::string(70000, 'b')));
}

TEST_F(SessionTest, AnswersPingWithPong) {
  open();
  received();
  send(client_frame(Opcode::ping, "abc"));
  run();
  EXPECT_EQ(received(), server_frame(Opcode::pong, "abc"));
}

TEST_F(SessionTest, EchoesThePeersCloseAndEndsTcp) {
  open();
  received();
  send(client_frame(Opcode::close, close_body(1000, "bye")));
  run();
  EXPECT_EQ(received(), server_frame(Opcode::close, close_body(1000, "")));
  char c;
  EXPECT_EQ(::recv(peer_, &c, 1, MSG_DONTWAIT), 0);  // EOF
  EXPECT_EQ(recorder_->events.back(), "closed:1000:bye");
}

TEST_F(SessionTest, ProtocolErrorSendsItsCloseCode) {
  open();
  received();
  send(client_frame(Opcode::text, "x", {.masked = false}));
  run();
  const std::string got = received();
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(got[0]), 0x88);  // close, fin
  EXPECT_EQ((static_cast<unsigned char>(got[2]) << 8) |
                static_cast<unsigned char>(got[3]),
            1002);
  // The server lingers for the peer's close; when the peer goes, it ends.
  ::shutdown(peer_, SHUT_WR);
  run();
  EXPECT_EQ(recorder_->events.back().rfind("closed:1002:", 0), 0u);
}

TEST_F(SessionTest, CloseStartsTheHandshakeAndWaitsForThePeer) {
  open();
  received();
  session_->close(CloseCode::going_away, "drain");
  run();
  EXPECT_EQ(received(), server_frame(Opcode::close, close_body(1001, "drain")));
  EXPECT_FALSE(session_->send("late", false));
  EXPECT_EQ(recorder_->events.back(), "open");  // not closed yet
  send(client_frame(Opcode::close, close_body(1001, "")));
  run();
  EXPECT_EQ(recorder_->events.back(), "closed:1001:");
}

TEST_F(SessionTest, ClosingTimesOutWithoutThePeersClose) {
  SessionOptions o;
  o.close_timeout = 10ms;
  open(o);
  session_->close(CloseCode::normal, {});
  sessions_->expire(Clock::now() + 1s);
  run();
  EXPECT_EQ(recorder_->events.back(), "closed:1000:");
}

TEST_F(SessionTest, PingsAQuietSocketAndDropsOneThatNeverAnswers) {
  SessionOptions o;
  o.ping_interval = 20ms;
  o.ping_timeout = 20ms;
  open(o);
  received();
  sessions_->expire(Clock::now() + 30ms);
  run();
  EXPECT_EQ(received(), server_frame(Opcode::ping, ""));
  sessions_->expire(Clock::now() + 100ms);
  run();
  EXPECT_EQ(recorder_->events.back().rfind("closed:1006", 0), 0u);
}

TEST_F(SessionTest, APongKeepsTheSocketOpen) {
  SessionOptions o;
  o.ping_interval = 20ms;
  o.ping_timeout = 50ms;
  open(o);
  sessions_->expire(Clock::now() + 30ms);
  run();
  send(client_frame(Opcode::pong, ""));
  run();
  sessions_->expire(Clock::now() + 40ms);
  run();
  EXPECT_TRUE(session_->is_open());
  EXPECT_EQ(recorder_->events.back(), "pong:");
}

// A peer that reads nothing: past max_queue_bytes it is closed (1008) and
// its backlog dropped, instead of growing without bound.
TEST_F(SessionTest, SlowConsumerIsClosedWith1008) {
  SessionOptions o;
  o.max_queue_bytes = 64 * 1024;
  open(o);
  const SharedFrame frame = encode_shared(std::string(1024, 'm'), false);
  for (int i = 0; i < 2000 && session_->is_open(); ++i)
    session_->send_shared(frame);
  EXPECT_FALSE(session_->is_open());
  EXPECT_LE(session_->queued_bytes(), o.max_queue_bytes + 2048);
}

TEST_F(SessionTest, PeerResetEndsTheSessionAbnormally) {
  open();
  ::close(peer_);
  peer_ = ::open("/dev/null", O_RDONLY);  // TearDown closes something
  run();
  EXPECT_EQ(recorder_->events.back(), "closed:1006:");
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(SessionTest, CloseAllSendsGoingAway) {
  open();
  received();
  sessions_->close_all(CloseCode::going_away, "bye");
  run();
  EXPECT_EQ(received(), server_frame(Opcode::close, close_body(1001, "bye")));
}

}  // namespace
}  // namespace gale::websocket

namespace gale::websocket {
namespace {

TEST_F(SessionTest, InflatesACompressedMessageAndCompressesLongReplies) {
  sessions_.emplace(loop_, SessionOptions{});
  session_ = sessions_->open(server_fd_, recorder_);
  DeflateAgreement agreement;
  agreement.server_no_context_takeover = true;
  session_->enable_deflate(agreement);
  session_->start("", {});
  recorder_->on_message = [this](std::string_view d, bool b) {
    session_->send(std::string(d) + std::string(100, '!'), b);
  };
  // RFC 7692 §7.2.3.1's "Hello", compressed, RSV1 set.
  const std::string hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
  send(client_frame(Opcode::text, hello, {.rsv = 0x40}));
  run();
  EXPECT_EQ(recorder_->events.back(), "text:Hello");
  const std::string reply = received();
  ASSERT_GE(reply.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(reply[0]), 0xC1);  // fin, RSV1, text
  MessageInflater inflater;
  std::string out;
  ASSERT_EQ(inflater.inflate(reply.substr(2), 1 << 20, out),
            MessageInflater::Result::ok);
  EXPECT_EQ(out, "Hello" + std::string(100, '!'));
}

TEST_F(SessionTest, CompressedTextThatIsNotUtf8Gets1007) {
  sessions_.emplace(loop_, SessionOptions{});
  session_ = sessions_->open(server_fd_, recorder_);
  session_->enable_deflate(DeflateAgreement{});
  session_->start("", {});
  MessageDeflater deflater;
  std::string packed;
  deflater.compress("\xff\xfe", packed);
  send(client_frame(Opcode::text, packed, {.rsv = 0x40}));
  run();
  const std::string got = received();
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ((static_cast<unsigned char>(got[2]) << 8) |
                static_cast<unsigned char>(got[3]),
            1007);
}

}  // namespace
}  // namespace gale::websocket

namespace gale::websocket {
namespace {

// A client gone before the 101 could be written: the owner hears the close
// (and never open()), nothing else runs.
TEST_F(SessionTest, AClientGoneBeforeTheHandshakeIsWrittenIsClosedOnly) {
  ::close(peer_);
  peer_ = ::open("/dev/null", O_RDONLY);
  open();
  EXPECT_EQ(recorder_->events, std::vector<std::string>{"closed:1006:"});
  EXPECT_EQ(sessions_->size(), 0u);
}

// A close() from open() keeps its own deadline: the session ends after
// close_timeout even though the quiet (ping) wait was armed first.
TEST_F(SessionTest, CloseFromOpenKeepsTheCloseDeadline) {
  struct Closer : Recorder {
    Session* session = nullptr;
    void session_open() override {
      Recorder::session_open();
      session->close(CloseCode::normal, "bye");
    }
  };
  auto closer = std::make_shared<Closer>();
  SessionOptions o;
  o.close_timeout = 10ms;
  o.ping_interval = std::chrono::hours(1);
  sessions_.emplace(loop_, o);
  session_ = sessions_->open(server_fd_, closer);
  closer->session = session_.get();
  session_->start("", {});
  sessions_->expire(Clock::now() + 1s);
  run();
  EXPECT_EQ(closer->events.back(), "closed:1000:bye");
}

}  // namespace
}  // namespace gale::websocket
