// One worker, many connections: nothing blocks the loop, a client that
// leaves or misbehaves disturbs no one else.
#include <regex>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;
using ConcurrencyTest = GaleTest;

std::optional<long long> info_field(int port, const std::string& field) {
  auto r = get(port, "/info");
  if (!r || r->status != 200) return std::nullopt;
  std::smatch m;
  std::regex re("\"" + field + "\"\\s*:\\s*(-?\\d+)");
  if (!std::regex_search(r->body, m, re)) return std::nullopt;
  return std::stoll(m[1]);
}

TEST_F(ConcurrencyTest, HundredConcurrentSleepsFinishTogether) {
  constexpr int kClients = 100;
  std::vector<HttpClient> clients(kClients);
  auto start = Clock::now();
  for (auto& c : clients)
    ASSERT_TRUE(c.connect(port())) << c.error();
  for (auto& c : clients)
    ASSERT_TRUE(c.send("GET /sleep?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n"));
  int ok = 0;
  for (auto& c : clients) {
    auto r = c.read_response(5s);
    if (r && r->status == 200 && r->body == "slept 300") ++ok;
  }
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(ok, kClients);
  // Serially this would take 30 s; together, about 0.3 s.
  EXPECT_LT(elapsed, 900ms)
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
      << " ms";
  EXPECT_GE(elapsed, 295ms);
}

TEST_F(ConcurrencyTest, BlockedLoopIsWhatTheSleepTestWouldCatch) {
  // The opposite case, to show the test above can fail: /test/block holds
  // the loop, so a /sleep?ms=0 behind it waits.
  HttpClient blocker =
      send("GET /test/block?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  auto start = Clock::now();
  auto r = get(port(), "/sleep?ms=0");
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(r);
  EXPECT_GE(elapsed, 250ms);
  auto b = blocker.read_response(3s);
  ASSERT_TRUE(b) << describe(blocker.last_end());
  EXPECT_EQ(b->body, "blocked");
}

TEST_F(ConcurrencyTest, ClientLeavingDuringSleepDisturbsNothing) {
  auto baseline = info_field(port(), "connections");
  ASSERT_TRUE(baseline);
  {
    HttpClient leaver = send("GET /sleep?ms=2000 HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(100ms);
    auto during = info_field(port(), "connections");
    ASSERT_TRUE(during);
    EXPECT_EQ(*during, *baseline + 1);
  }  // closed here, mid-request
  // The worker notices and counts the connection out, well before 2 s.
  auto deadline = Clock::now() + 1500ms;
  long long now = -1;
  while (Clock::now() < deadline) {
    auto c = info_field(port(), "connections");
    ASSERT_TRUE(c) << "the worker stopped answering";
    now = *c;
    if (now == *baseline) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(now, *baseline);
  auto r = get(port(), "/hello/after");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Hello, after");
}

TEST_F(ConcurrencyTest, ClientResettingDuringSleepDisturbsNothing) {
  for (int i = 0; i < 5; ++i) {
    HttpClient leaver = send("GET /sleep?ms=1000 HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(20ms);
    leaver.close(/*reset=*/true);
  }
  auto r = get(port(), "/sleep?ms=10");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slept 10");
}

TEST_F(ConcurrencyTest, ClientLeavingMidStreamDisturbsNothing) {
  {
    HttpClient leaver =
        send("GET /test/stream?n=20&ms=50 HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(120ms);
  }
  std::this_thread::sleep_for(200ms);  // the stream writes to a dead socket
  auto r = get(port(), "/hello/after");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Hello, after");
}

TEST_F(ConcurrencyTest, MalformedRequestNeverHarmsAnotherConnection) {
  HttpClient a = send("GET /sleep?ms=500 HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  HttpClient b = send("this is not HTTP\r\n\r\n");
  auto rb = b.read_response(3s);
  ASSERT_TRUE(rb) << describe(b.last_end());
  EXPECT_EQ(rb->status, 400);
  EXPECT_TRUE(b.wait_closed());
  auto ra = a.read_response(3s);
  ASSERT_TRUE(ra) << describe(a.last_end());
  EXPECT_EQ(ra->status, 200);
  EXPECT_EQ(ra->body, "slept 500");
  // A stays usable.
  ASSERT_TRUE(a.send("GET /hello/a HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto again = a.read_response();
  ASSERT_TRUE(again) << describe(a.last_end());
  EXPECT_EQ(again->body, "Hello, a");
}

TEST_F(ConcurrencyTest, ManyBadClientsAndGoodOnesInterleaved) {
  std::vector<HttpClient> good, bad;
  for (int i = 0; i < 20; ++i) {
    good.push_back(send("GET /sleep?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"));
    bad.push_back(send(i % 2 ? "GET / HTTP/1.1\r\nHost : x\r\n\r\n"
                             : "POST /echo HTTP/1.1\r\nTransfer-Encoding: "
                               "chunked\r\n\r\nxyz\r\n"));
  }
  for (auto& b : bad) {
    auto r = b.read_response(3s);
    ASSERT_TRUE(r) << describe(b.last_end());
    EXPECT_EQ(r->status, 400);
  }
  for (auto& g : good) {
    auto r = g.read_response(3s);
    ASSERT_TRUE(r) << describe(g.last_end());
    EXPECT_EQ(r->body, "slept 200");
  }
}

}  // namespace
}  // namespace gale::itest
