// SPEC §3 /ws/chat against the real binary: text is broadcast to every
// client of the room, the sender included, across workers and in one
// order for all; binary is refused with 1003; a client that stops reading
// is dropped (1008) while the others keep receiving every message.
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "tests/support/gale_test.hpp"
#include "tests/support/wait.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

// The next `n` messages `c` receives (fewer if it fails).
std::vector<std::string> read_messages(WsClient& c, std::size_t n,
                                       Millis timeout = 10s) {
  std::vector<std::string> out;
  while (out.size() < n) {
    auto m = c.read_message(timeout);
    if (!m) break;
    out.push_back(std::move(m->payload));
  }
  return out;
}

using WebSocketChatTest = GaleTest;

TEST_F(WebSocketChatTest, BinaryIsRefusedWith1003) {
  WsClient c;
  ASSERT_TRUE(c.open(port(), "/ws/chat")) << c.error();
  ASSERT_TRUE(c.send_binary("\x01\x02"));
  auto f = c.read_frame();
  ASSERT_TRUE(f) << describe(c.last_end());
  EXPECT_EQ(f->opcode, ws_op::close) << describe(*f);
  EXPECT_EQ(f->close_code(), 1003) << describe(*f);
}

class WebSocketChatWorkersTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.workers = 4;
    return o;
  }
  // 8 clients of /ws/chat on at least two workers (each asks /info on its
  // connection before upgrading it), at most 2 on any one.
  std::vector<WsClient> open_spread() {
    std::vector<WsClient> kept;
    std::map<long long, int> per_worker;
    for (int tries = 0; tries < 200 && kept.size() < 8; ++tries) {
      WsClient c;
      EXPECT_TRUE(c.connect(port())) << c.error();
      Reply r = c.http().get("/info");
      auto worker = json_field(r.body, "worker");
      if (!r.ok() || !worker) continue;
      if (per_worker[*worker] >= 2 && tries < 150) continue;
      EXPECT_TRUE(c.upgrade("/ws/chat")) << c.error();
      ++per_worker[*worker];
      kept.push_back(std::move(c));
    }
    EXPECT_EQ(kept.size(), 8u);
    EXPECT_GE(per_worker.size(), 2u) << "every client on one worker";
    // Each is subscribed once its handshake is answered, but let every
    // worker's subscription settle.
    std::this_thread::sleep_for(200ms);
    return kept;
  }
};

TEST_F(WebSocketChatWorkersTest, OneMessageReachesEveryClientOnEveryWorker) {
  std::vector<WsClient> clients = open_spread();
  ASSERT_EQ(clients.size(), 8u);
  ASSERT_TRUE(clients[3].send_text("hello, room"));
  for (std::size_t i = 0; i < clients.size(); ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    auto m = clients[i].read_message(10s);
    ASSERT_TRUE(m) << describe(clients[i].last_end());
    EXPECT_EQ(m->opcode, ws_op::text);
    EXPECT_EQ(m->payload, "hello, room");
  }
}

TEST_F(WebSocketChatWorkersTest, EveryClientSeesTheSameOrder) {
  std::vector<WsClient> clients = open_spread();
  ASSERT_EQ(clients.size(), 8u);
  constexpr int kEach = 10;
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    senders.emplace_back([&clients, i] {
      for (int j = 0; j < kEach; ++j)
        clients[i].send_text("c" + std::to_string(i) + "-" + std::to_string(j));
    });
  }
  for (auto& t : senders)
    t.join();
  const std::size_t total = clients.size() * kEach;
  std::vector<std::string> first = read_messages(clients[0], total);
  ASSERT_EQ(first.size(), total) << describe(clients[0].last_end());
  std::set<std::string> distinct(first.begin(), first.end());
  EXPECT_EQ(distinct.size(), total) << "duplicates";
  // One sender's messages keep the order it sent them in.
  for (std::size_t i = 0; i < clients.size(); ++i) {
    std::vector<std::string> mine;
    std::copy_if(first.begin(), first.end(), std::back_inserter(mine),
                 [&](const std::string& s) {
                   return s.rfind("c" + std::to_string(i) + "-", 0) == 0;
                 });
    ASSERT_EQ(mine.size(), std::size_t(kEach)) << "client " << i;
    for (int j = 0; j < kEach; ++j)
      EXPECT_EQ(mine[j], "c" + std::to_string(i) + "-" + std::to_string(j));
  }
  for (std::size_t i = 1; i < clients.size(); ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    EXPECT_EQ(read_messages(clients[i], total), first);
  }
}

class WebSocketSlowConsumerTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml =
        "websocket:\n  max_queue_bytes: 65536\n  close_timeout_s: 1\n"
        "  ping_interval_s: 0\n";
    return o;
  }
  long long connections() {
    return info_field(port(), "connections").value_or(-1);
  }
  static std::string message(int i) {
    std::string s = "m" + std::to_string(i) + "-";
    return s + std::string(1024 - s.size(), 'x');
  }
  // Sends `count` messages from fast[0] and checks that every fast client
  // receives each of them, in order.
  void send_batch(std::vector<WsClient>& fast, int& next, int count) {
    for (int i = 0; i < count; ++i)
      ASSERT_TRUE(fast[0].send_text(message(next + i)));
    for (std::size_t k = 0; k < fast.size(); ++k) {
      for (int i = 0; i < count; ++i) {
        auto m = fast[k].read_message(10s);
        ASSERT_TRUE(m) << "fast client " << k << " lost message " << next + i
                       << ": " << describe(fast[k].last_end());
        ASSERT_EQ(m->payload, message(next + i)) << "fast client " << k;
      }
    }
    next += count;
  }
};

TEST_F(WebSocketSlowConsumerTest, ASlowClientIsDroppedTheOthersGetEverything) {
  const long long baseline = connections();
  ASSERT_GT(baseline, 0);
  WsClient slow;
  slow.set_receive_buffer(4096);
  ASSERT_TRUE(slow.open(port(), "/ws/chat")) << slow.error();
  std::vector<WsClient> fast(3);
  for (auto& c : fast)
    ASSERT_TRUE(c.open(port(), "/ws/chat")) << c.error();
  ASSERT_TRUE(wait_until([&] { return connections() == baseline + 4; }, 10s));
  // Until the slow one is gone (its queue overflows, then close_timeout),
  // at most 16 MiB.
  int next = 0;
  bool dropped = false;
  while (!dropped && next < 16000) {
    send_batch(fast, next, 50);
    if (HasFatalFailure()) return;
    dropped = connections() == baseline + 3;
  }
  // The overflow starts the close handshake; close_timeout (1 s) ends it,
  // which may come after the last batch on a fast machine.
  if (!dropped)
    dropped = wait_until([&] { return connections() == baseline + 3; }, 10s);
  ASSERT_TRUE(dropped) << "still " << connections() << " connections after "
                       << next << " messages of 1 KiB";
  // The others go on as before.
  send_batch(fast, next, 50);
  // What the slow client finds when it reads at last: the start of the
  // stream in order (a backlog is dropped whole frames at a time; the
  // frame the kernel held half of when TCP ended may stay cut), then a
  // close 1008 or the end of TCP.
  int got = 0;
  while (auto m = slow.read_message(10s)) {
    ASSERT_EQ(m->payload, message(got)) << "slow client, message " << got;
    ++got;
  }
  EXPECT_LT(got, next);
  if (slow.last_close()) {
    EXPECT_EQ(slow.last_close()->close_code(), 1008)
        << describe(*slow.last_close());
    EXPECT_TRUE(slow.wait_closed(10s)) << describe(slow.last_end());
  } else {
    EXPECT_TRUE(slow.last_end() == Outcome::eof ||
                slow.last_end() == Outcome::reset)
        << describe(slow.last_end());
  }
}

}  // namespace
}  // namespace gale::itest
