// Chat and /ws/chat across gale instances sharing one Redis (SPEC §3, §7):
// a post on one instance wakes long-polls on every worker of the others,
// WebSocket rooms span instances, a cursor from one instance works on
// another, and a new instance serves the kept history at once.
#include "tests/integration/redis_cluster.hpp"

namespace gale::itest {
namespace {

using RedisChatTest = RedisGaleTest;

TEST_F(RedisChatTest, PostWakesPollsOnEveryWorkerOfEveryInstance) {
  GaleProcess& a = add_instance();
  GaleProcess& b = add_instance();
  GaleProcess& c = add_instance();
  std::string first = chat(a).post_ok("first");
  ASSERT_FALSE(first.empty());
  std::vector<HttpClient> polls = polls_on_every_worker(b, first);
  for (HttpClient& p : polls_on_every_worker(c, first))
    polls.push_back(std::move(p));
  ASSERT_EQ(polls.size(), 2u * kWorkers);
  // A poll that reached its worker before `first` did waits for it (the
  // cursor is ahead there), so none can answer with the whole history.
  std::string second = chat(a).post_ok("second");
  for (HttpClient& p : polls) {
    auto r = p.read_response(5s);
    ASSERT_TRUE(r) << describe(p.last_end());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body,
              R"({"messages":[{"id":")" + second + R"(","body":"second"}]})");
  }
}

TEST_F(RedisChatTest, CursorCarriedToAnotherInstanceLosesAndRepeatsNothing) {
  GaleProcess& a = add_instance();
  GaleProcess& b = add_instance();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i)  // posted on both, one order
    ids.push_back(chat(i % 2 ? b : a).post_ok("m" + std::to_string(i)));
  auto r = chat(b).updates(ids[1]);
  ASSERT_TRUE(r);
  EXPECT_EQ(json_strings(r->body, "id"),
            std::vector<std::string>(ids.begin() + 2, ids.end()));
  EXPECT_EQ(json_strings(r->body, "body"),
            (std::vector<std::string>{"m2", "m3", "m4", "m5"}));

  // The newest id from A, at once on B: a poll that waits, then gets
  // exactly the next message.
  std::string x = chat(a).post_ok("x");
  HttpClient waiter = chat(b).start_poll(x);
  std::string y = chat(a).post_ok("y");
  auto w = waiter.read_response(5s);
  ASSERT_TRUE(w) << describe(waiter.last_end());
  EXPECT_EQ(w->body, R"({"messages":[{"id":")" + y + R"(","body":"y"}]})");
}

// A host name in redis_url is looked up once when a worker starts, not by
// hiredis on every connect (a blocking lookup on the worker's loop).
TEST_F(RedisChatTest, AHostNameInRedisUrlWorks) {
  GaleProcess& a = add_instance();
  GaleProcess& b =
      add_instance("redis://localhost:" + std::to_string(redis_.port()) + "/0");
  std::string first = chat(b).post_ok("via a name");
  ASSERT_FALSE(first.empty());
  auto r = chat(a).updates("");
  ASSERT_TRUE(r);
  EXPECT_EQ(json_strings(r->body, "body"),
            std::vector<std::string>{"via a name"});
}

TEST_F(RedisChatTest, ANewInstanceServesTheHistoryAtOnce) {
  GaleProcess& a = add_instance();
  std::vector<std::string> ids;
  for (const char* body : {"one", "two", "three"})
    ids.push_back(chat(a).post_ok(body));
  GaleProcess& late = add_instance();
  auto all = chat(late).updates("");
  ASSERT_TRUE(all);
  EXPECT_EQ(json_strings(all->body, "id"), ids);
  auto rest = chat(late).updates(ids[0]);
  ASSERT_TRUE(rest);
  EXPECT_EQ(json_strings(rest->body, "body"),
            (std::vector<std::string>{"two", "three"}));
}

TEST_F(RedisChatTest, WebSocketRoomSpansInstances) {
  GaleProcess& a = add_instance();
  GaleProcess& b = add_instance();
  WsClient on_a;
  WsClient on_b;
  ASSERT_TRUE(on_a.open(a.port(), "/ws/chat")) << on_a.error();
  ASSERT_TRUE(on_b.open(b.port(), "/ws/chat")) << on_b.error();
  ASSERT_TRUE(on_a.send_text("hello from a"));
  ASSERT_TRUE(on_b.send_text("hello from b"));
  std::vector<std::string> seen_a;
  std::vector<std::string> seen_b;
  for (int i = 0; i < 2; ++i) {
    auto m = on_a.read_message(5s);
    ASSERT_TRUE(m) << describe(on_a.last_end());
    seen_a.push_back(m->payload);
    auto n = on_b.read_message(5s);
    ASSERT_TRUE(n) << describe(on_b.last_end());
    seen_b.push_back(n->payload);
  }
  EXPECT_EQ(seen_a, seen_b) << "one order for all";
  std::sort(seen_a.begin(), seen_a.end());
  EXPECT_EQ(seen_a, (std::vector<std::string>{"hello from a", "hello from b"}));
}

}  // namespace
}  // namespace gale::itest
