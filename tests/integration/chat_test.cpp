// The chat (SPEC §3) against the real binary: a post wakes long-polls, many
// at once, on one worker and across workers; a quiet poll times out empty;
// a poll left by its client leaves nothing; a draining worker answers its
// polls at once so clients re-poll elsewhere.
#include <csignal>
#include <set>
#include <thread>

#include "tests/support/chat_client.hpp"
#include "tests/support/gale_test.hpp"
#include "tests/support/ws_client.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

using Clock = std::chrono::steady_clock;

class ChatTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.workers = workers();
    o.yaml = "chat:\n  poll_timeout_s: " + poll_timeout() + "\n";
    return o;
  }
  virtual int workers() { return 1; }
  virtual std::string poll_timeout() { return "20"; }

  // Posts `body` (plain letters) and returns the id it got.
  std::string post(const std::string& body) {
    return ChatClient(port()).post_ok(body);
  }
  // A connection whose poll with `cursor` is waiting at the server.
  HttpClient waiting_poll(const std::string& cursor) {
    return ChatClient(port()).start_poll(cursor);
  }
};

TEST_F(ChatTest, PostWakesAWaitingPoll) {
  std::string last = post("first");
  HttpClient waiter = waiting_poll(last);
  std::this_thread::sleep_for(100ms);
  auto start = Clock::now();
  std::string id = post("second");
  auto r = waiter.read_response(3s);
  ASSERT_TRUE(r) << describe(waiter.last_end());
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r->body,
            R"({"messages":[{"id":")" + id + R"(","body":"second"}]})");
}

TEST_F(ChatTest, CursorFollowsTheOrder) {
  std::string a = post("a");
  std::string b = post("b");
  std::string c = post("c");
  HttpResponse r = fetch_ok(chat_poll_request(a, true));
  EXPECT_EQ(json_strings(r.body, "body"), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(json_strings(r.body, "id"), (std::vector<std::string>{b, c}));
  r = fetch_ok(chat_poll_request("nonsense", true));
  EXPECT_EQ(json_strings(r.body, "body"),
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(ChatTest, InvalidBodiesAre400) {
  HttpResponse r = fetch_ok(chat_post_request("", true));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("body is empty"), std::string::npos);
  r = fetch_ok(chat_post_request(std::string(4097, 'x'), true));
  EXPECT_EQ(r.status, 400);
  r = fetch_ok(chat_post_request("%FF", true));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not UTF-8"), std::string::npos);
}

TEST_F(ChatTest, TheChatPageIsServedWithoutAStaticRoot) {
  HttpResponse r = fetch_ok("GET /chat/ HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<title>gale chat</title>"), std::string::npos);
}

TEST_F(ChatTest, TwoHundredWaitersWokenByOnePost) {
  constexpr int kWaiters = 200;
  std::string last = post("start");
  std::vector<HttpClient> waiters;
  for (int i = 0; i < kWaiters; ++i)
    waiters.push_back(waiting_poll(last));
  std::this_thread::sleep_for(200ms);
  auto start = Clock::now();
  std::string id = post("wake");
  int woken = 0;
  for (auto& w : waiters) {
    auto r = w.read_response(3s);
    if (r && r->status == 200 &&
        json_strings(r->body, "id") == std::vector<std::string>{id})
      ++woken;
  }
  EXPECT_EQ(woken, kWaiters);
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(ChatTest, WaitersThatLeaveLeaveNothingBehind) {
  auto info = fetch_ok("GET /info HTTP/1.1\r\nHost: t\r\n\r\n");
  auto baseline = json_field(info.body, "connections");
  ASSERT_TRUE(baseline);
  {
    std::vector<HttpClient> leavers;
    for (int i = 0; i < 50; ++i)
      leavers.push_back(waiting_poll(""));
    std::this_thread::sleep_for(200ms);
  }  // all closed mid-poll
  auto deadline = Clock::now() + 2s;
  long long now = -1;
  while (Clock::now() < deadline) {
    info = fetch_ok("GET /info HTTP/1.1\r\nHost: t\r\n\r\n");
    now = json_field(info.body, "connections").value_or(-1);
    if (now == *baseline) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(now, *baseline);
  // The server still posts and answers: nothing freed is touched.
  std::string last = post("after");
  HttpResponse r = fetch_ok(form_post("/chat/updates", "", true));
  EXPECT_EQ(json_strings(r.body, "id").back(), last);
}

class ChatShortPollTest : public ChatTest {
 protected:
  std::string poll_timeout() override { return "0.3"; }
};

TEST_F(ChatShortPollTest, AQuietPollAnswersEmptyAfterTheTimeout) {
  std::string last = post("x");
  auto start = Clock::now();
  HttpClient waiter = waiting_poll(last);
  auto r = waiter.read_response(3s);
  ASSERT_TRUE(r);
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(r->body, R"({"messages":[]})");
  EXPECT_GE(elapsed, 280ms);
  EXPECT_LT(elapsed, 1500ms);
}

class ChatDrainTest : public ChatTest {};

// SIGHUP starts a new generation; the old worker's polls are answered at
// once instead of waiting out the poll or being cut.
TEST_F(ChatDrainTest, ReloadAnswersWaitingPollsAtOnce) {
  std::string last = post("x");
  HttpClient waiter = waiting_poll(last);
  std::this_thread::sleep_for(200ms);
  auto start = Clock::now();
  server().signal(SIGHUP);
  auto r = waiter.read_response(5s);
  ASSERT_TRUE(r) << describe(waiter.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"messages":[]})");
  EXPECT_LT(Clock::now() - start, 1s);
}

class ChatMultiWorkerTest : public ChatTest {
 protected:
  int workers() override { return 4; }
};

// Waiters spread over every worker (each learns its worker from /info on
// its own keep-alive connection); one post on a fresh connection wakes all.
TEST_F(ChatMultiWorkerTest, APostOnOneWorkerWakesWaitersOnEvery) {
  std::string last = post("start");
  std::vector<HttpClient> waiters;
  std::set<long long> seen_workers;
  for (int i = 0; i < 80 && waiters.size() < 200; ++i) {
    HttpClient c = connect();
    ASSERT_TRUE(c.send("GET /info HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto info = c.read_response(3s);
    ASSERT_TRUE(info);
    seen_workers.insert(json_field(info->body, "worker").value_or(-1));
    ASSERT_TRUE(c.send(chat_poll_request(last)));
    waiters.push_back(std::move(c));
  }
  EXPECT_GE(seen_workers.size(), 2u) << "the waiters all reached one worker";
  std::this_thread::sleep_for(200ms);
  std::string id = post("everyone");
  int woken = 0;
  for (auto& w : waiters) {
    auto r = w.read_response(3s);
    if (r && json_strings(r->body, "id") == std::vector<std::string>{id})
      ++woken;
  }
  EXPECT_EQ(woken, static_cast<int>(waiters.size()));
}

}  // namespace
}  // namespace gale::itest
