// attach(): a real hiredis async context on our loop, talking to a fake
// Redis the test plays: connect, a command and its reply, the server
// closing (disconnect callback), a refused connect, and a context freed
// from inside its own reply callback.
#include "server/pubsub/redis/asio_event_adapter.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "tests/server/pubsub/redis/fake_redis.hpp"

namespace gale::pubsub::redis {
namespace {

using namespace std::chrono_literals;
using test::FakeRedis;
using test::resp_command;

// What the C callbacks saw, reached through context->data.
struct Seen {
  int connect_status = -100;
  int disconnect_status = -100;
  std::string reply;
  int replies = 0;
  bool free_in_reply = false;
};

Seen& seen(const redisAsyncContext* c) {
  return *static_cast<Seen*>(c->data);
}
void on_connect(const redisAsyncContext* c, int status) {
  seen(c).connect_status = status;
}
void on_disconnect(const redisAsyncContext* c, int status) {
  seen(c).disconnect_status = status;
}
void on_reply(redisAsyncContext* c, void* r, void*) {
  Seen& s = seen(c);
  ++s.replies;
  auto* reply = static_cast<redisReply*>(r);
  s.reply = reply != nullptr && reply->str != nullptr
                ? std::string(reply->str, reply->len)
                : std::string("(null)");
  if (s.free_in_reply && reply != nullptr) redisAsyncFree(c);
}

redisAsyncContext* connect_to(int port, Seen& s,
                              boost::asio::io_context& loop) {
  redisAsyncContext* c = redisAsyncConnect("127.0.0.1", port);
  EXPECT_TRUE(c != nullptr && c->err == 0);
  c->data = &s;
  EXPECT_TRUE(attach(c, loop));
  EXPECT_FALSE(attach(c, loop)) << "attached twice";
  redisAsyncSetConnectCallback(c, on_connect);
  redisAsyncSetDisconnectCallback(c, on_disconnect);
  return c;
}

template <class Done>
void run_until(boost::asio::io_context& loop, Done done) {
  for (int i = 0; i < 300 && !done(); ++i) {
    loop.restart();
    loop.run_for(10ms);
  }
}

TEST(RedisAsioAdapter, CommandReplyThenServerCloses) {
  boost::asio::io_context loop;
  FakeRedis fake(loop);
  fake.then(resp_command({"PING"}), "+PONG\r\n");
  fake.then(resp_command({"GET", "k"}), "$5\r\nvalue\r\n", true);
  Seen s;
  redisAsyncContext* c = connect_to(fake.port(), s, loop);
  redisAsyncCommand(c, on_reply, nullptr, "PING");
  run_until(loop, [&] { return s.replies == 1; });
  EXPECT_EQ(s.connect_status, REDIS_OK);
  EXPECT_EQ(s.reply, "PONG");

  redisAsyncCommand(c, on_reply, nullptr, "GET k");
  run_until(loop, [&] { return s.disconnect_status != -100; });
  EXPECT_EQ(s.replies, 2);
  EXPECT_EQ(s.reply, "value");
  // The server closed: hiredis frees the context and says so.
  EXPECT_EQ(s.disconnect_status, REDIS_ERR);
  EXPECT_TRUE(fake.script_done());
  loop.restart();
  loop.run_for(20ms);  // the watcher's aborted waits complete harmlessly
}

TEST(RedisAsioAdapter, PendingCommandFailsWhenServerCloses) {
  boost::asio::io_context loop;
  FakeRedis fake(loop);
  fake.then(resp_command({"PING"}), "", true);  // closes without answering
  Seen s;
  redisAsyncContext* c = connect_to(fake.port(), s, loop);
  redisAsyncCommand(c, on_reply, nullptr, "PING");
  run_until(loop, [&] { return s.disconnect_status != -100; });
  EXPECT_EQ(s.replies, 1);
  EXPECT_EQ(s.reply, "(null)");  // failed, not lost
  EXPECT_EQ(s.disconnect_status, REDIS_ERR);
}

TEST(RedisAsioAdapter, RefusedConnectIsReported) {
  boost::asio::io_context loop;
  int port = 0;
  {
    FakeRedis closed(loop);  // a port nobody listens on once it is gone
    port = closed.port();
  }
  Seen s;
  connect_to(port, s, loop);
  run_until(loop, [&] { return s.connect_status != -100; });
  EXPECT_EQ(s.connect_status, REDIS_ERR);
  EXPECT_EQ(s.disconnect_status, -100);  // never connected: no disconnect
}

TEST(RedisAsioAdapter, FreedFromInsideItsReplyCallback) {
  boost::asio::io_context loop;
  FakeRedis fake(loop);
  fake.then(resp_command({"PING"}), "+PONG\r\n");
  Seen s;
  s.free_in_reply = true;
  redisAsyncContext* c = connect_to(fake.port(), s, loop);
  redisAsyncCommand(c, on_reply, nullptr, "PING");
  redisAsyncCommand(c, on_reply, nullptr, "PING");  // never answered
  run_until(loop, [&] { return s.disconnect_status != -100; });
  EXPECT_EQ(s.replies, 2);  // the second failed with a null reply
  EXPECT_EQ(s.reply, "(null)");
  EXPECT_EQ(s.disconnect_status, REDIS_OK);  // freed by us, not an error
  loop.restart();
  loop.run_for(20ms);
}

}  // namespace
}  // namespace gale::pubsub::redis
