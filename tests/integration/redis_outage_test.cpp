// Redis going away (SPEC §7): kill -9 of redis-server mid-traffic leaves
// every instance serving (/health 200), posts answer 503 with a clear body
// instead of vanishing, one log line per outage; once Redis is back on the
// same port (its append-only file keeps the data) posts work again and
// every instance catches up. And an instance whose Redis address is wrong
// serves HTTP all the same.
#include <thread>

#include "tests/integration/redis_cluster.hpp"

namespace gale::itest {
namespace {

using Clock = std::chrono::steady_clock;

class RedisOutageTest : public RedisGaleTest {
 protected:
  std::string poll_timeout() override { return "20"; }

  int health(GaleProcess& p) {
    auto r = get(p.port(), "/health");
    return r ? r->status : -1;
  }
  // Posts on `p` until one answers `status` (or the time is up).
  std::string post_until(GaleProcess& p, int status, Millis timeout) {
    std::string id;
    int n = 0;
    bool got = wait_until(
        [&] {
          ChatClient::Posted posted = chat(p).post("try" + std::to_string(n++));
          id = posted.id;
          return posted.status == status;
        },
        timeout, 50ms);
    EXPECT_TRUE(got) << "no post answered " << status;
    return id;
  }
};

TEST_F(RedisOutageTest, KillNineThenRestartCatchesUpEverywhere) {
  GaleProcess& a = add_instance();
  GaleProcess& b = add_instance();
  std::string before = chat(a).post_ok("before");
  chat(b).post_ok("traffic");

  redis_.kill9();
  post_until(a, 503, 10s);
  auto r = fetch(a.port(), chat_post_request("lost", true), 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("not published"), std::string::npos) << r->body;
  EXPECT_EQ(health(a), 200);
  EXPECT_EQ(health(b), 200);
  EXPECT_EQ(chat(b).post("down").status, 503);

  // A waiter on B from before the outage's end, on the newest id it has.
  auto last = chat(b).updates("");
  ASSERT_TRUE(last);
  std::string newest = json_strings(last->body, "id").back();
  HttpClient waiter = chat(b).start_poll(newest);

  ASSERT_TRUE(redis_.start());
  std::string after = post_until(a, 200, 15s);
  auto w = waiter.read_response(15s);
  ASSERT_TRUE(w) << describe(waiter.last_end());
  EXPECT_EQ(json_strings(w->body, "id"), std::vector<std::string>{after});

  // A cursor from before the outage still works, on both instances (each
  // worker gets `after` from Redis within moments: wait for it).
  for (GaleProcess* p : {&a, &b}) {
    std::string body;
    bool caught_up = wait_until(
        [&] {
          auto since = chat(*p).updates(before);
          body = since ? since->body : "";
          auto ids = json_strings(body, "id");
          return !ids.empty() && ids.back() == after;
        },
        5s);
    EXPECT_TRUE(caught_up) << body;
    auto bodies = json_strings(body, "body");
    ASSERT_FALSE(bodies.empty());
    EXPECT_EQ(bodies.front(), "traffic");
  }
  EXPECT_TRUE(a.running());
  EXPECT_TRUE(b.running());
  // One warning per worker when the outage starts, one when it ends.
  EXPECT_TRUE(a.wait_for_log("is back after", 10s, kWorkers));
  EXPECT_EQ(a.count_in_log("redis: lost"), static_cast<std::size_t>(kWorkers));
}

TEST_F(RedisOutageTest, BadAddressStillServesHttpAndPostsAre503) {
  RedisServer nobody;  // a free port nothing listens on (never started)
  GaleProcess& p = add_instance(nobody.url(), false);
  EXPECT_EQ(health(p), 200);
  auto hello = get(p.port(), "/");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->status, 200);
  auto r = fetch(p.port(), chat_post_request("hi", true), 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("not published"), std::string::npos) << r->body;

  WsClient ws;
  ASSERT_TRUE(ws.open(p.port(), "/ws/chat")) << ws.error();
  ASSERT_TRUE(ws.send_text("hi"));
  auto closing = ws.read_frame(5s);  // said, not swallowed
  ASSERT_TRUE(closing) << describe(ws.last_end());
  EXPECT_EQ(closing->opcode, ws_op::close) << describe(*closing);
  EXPECT_EQ(closing->close_code(), 1011) << describe(*closing);
  ws.send_close(1000);

  EXPECT_TRUE(p.wait_for_log("redis: cannot use", 5s));
  EXPECT_EQ(p.log_lines("password").size(), 0u);
  EXPECT_TRUE(p.running());
}

}  // namespace
}  // namespace gale::itest
