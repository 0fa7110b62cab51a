// RedisConnection against a fake Redis: the handshake (AUTH with user and
// password, SELECT), replies in order, a refused AUTH, a server that never
// answers (the deadline hiredis lacks), a closed server, and close() from
// inside a reply.
#include "server/pubsub/redis/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/server/pubsub/redis/fake_redis.hpp"

namespace gale::pubsub::redis {
namespace {

using namespace std::chrono_literals;
using test::FakeRedis;
using test::resp_command;

class RedisConnectionTest : public ::testing::Test {
 protected:
  RedisEndpoint endpoint(int port) {
    RedisEndpoint e;
    e.port = static_cast<std::uint16_t>(port);
    return e;
  }
  template <class Done>
  void run_until(Done done) {
    for (int i = 0; i < 300 && !done(); ++i) {
      loop_.restart();
      loop_.run_for(10ms);
    }
  }
  void open(RedisConnection& c) {
    c.open([this] { ready_ = true; },
           [this](const std::string& why) { lost_.push_back(why); });
  }

  boost::asio::io_context loop_;
  bool ready_ = false;
  std::vector<std::string> lost_;
};

TEST_F(RedisConnectionTest, HandshakeThenRepliesInOrder) {
  FakeRedis fake(loop_);
  fake.then(resp_command({"AUTH", "ann", "s3cret"}) +
                resp_command({"SELECT", "2"}) + resp_command({"PING"}),
            "+OK\r\n+OK\r\n+PONG\r\n");
  fake.then(resp_command({"GET", "a"}) + resp_command({"GET", "b"}),
            "$1\r\n1\r\n$1\r\n2\r\n");
  RedisEndpoint e = endpoint(fake.port());
  e.username = "ann";
  e.password = "s3cret";
  e.db = 2;
  RedisConnection c(loop_, e);
  EXPECT_FALSE(c.ready());
  open(c);
  run_until([&] { return ready_; });
  ASSERT_TRUE(c.ready());
  std::vector<std::string> got;
  auto keep = [&](const redisReply* r) {
    got.emplace_back(r ? reply_text(r) : "(null)");
  };
  EXPECT_TRUE(c.command({"GET", "a"}, 1s, keep));
  EXPECT_TRUE(c.command({"GET", "b"}, 1s, keep));
  run_until([&] { return got.size() == 2; });
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(lost_.empty());
  EXPECT_TRUE(fake.script_done()) << fake.unmatched();
}

TEST_F(RedisConnectionTest, RefusedAuthIsLostWithTheReasonNotThePassword) {
  FakeRedis fake(loop_);
  fake.then(resp_command({"AUTH", "s3cret"}) + resp_command({"PING"}),
            "-WRONGPASS invalid username-password pair\r\n+PONG\r\n");
  RedisEndpoint e = endpoint(fake.port());
  e.password = "s3cret";
  RedisConnection c(loop_, e);
  open(c);
  run_until([&] { return !lost_.empty(); });
  ASSERT_EQ(lost_.size(), 1u);
  EXPECT_NE(lost_[0].find("AUTH refused: WRONGPASS"), std::string::npos);
  EXPECT_EQ(lost_[0].find("s3cret"), std::string::npos);
  EXPECT_FALSE(ready_);
  EXPECT_FALSE(c.ready());
}

TEST_F(RedisConnectionTest, SilentServerMissesTheDeadline) {
  FakeRedis fake(loop_);  // accepts, never answers
  RedisConnection c(loop_, endpoint(fake.port()), 200ms);
  auto start = std::chrono::steady_clock::now();
  open(c);
  run_until([&] { return !lost_.empty(); });
  ASSERT_EQ(lost_.size(), 1u);
  EXPECT_EQ(lost_[0], "no reply from Redis in time");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
  EXPECT_EQ(c.waiting(), 0u);
}

TEST_F(RedisConnectionTest, ClosedServerFailsWaitingCommandsOnce) {
  FakeRedis fake(loop_);
  fake.then(resp_command({"PING"}), "+PONG\r\n");
  fake.then(resp_command({"GET", "a"}), "", true);
  RedisConnection c(loop_, endpoint(fake.port()));
  open(c);
  run_until([&] { return ready_; });
  int nulls = 0;
  c.command({"GET", "a"}, 1s, [&](const redisReply* r) { nulls += !r; });
  run_until([&] { return !lost_.empty(); });
  EXPECT_EQ(nulls, 1);
  ASSERT_EQ(lost_.size(), 1u);
  EXPECT_FALSE(c.ready());
  // Without a connection a command fails from a later turn, not inside.
  bool failed = false;
  EXPECT_FALSE(c.command({"GET", "b"}, 1s,
                         [&](const redisReply* r) { failed = r == nullptr; }));
  EXPECT_FALSE(failed);
  run_until([&] { return failed; });
  EXPECT_TRUE(failed);
}

TEST_F(RedisConnectionTest, CloseInsideAReplyFailsTheRestQuietly) {
  FakeRedis fake(loop_);
  fake.then(resp_command({"PING"}), "+PONG\r\n");
  fake.then(resp_command({"GET", "a"}) + resp_command({"GET", "b"}),
            "$1\r\n1\r\n$1\r\n2\r\n");
  RedisConnection c(loop_, endpoint(fake.port()));
  open(c);
  run_until([&] { return ready_; });
  std::vector<std::string> got;
  c.command({"GET", "a"}, 1s, [&](const redisReply* r) {
    got.emplace_back(r ? reply_text(r) : "(null)");
    c.close();
  });
  c.command({"GET", "b"}, 1s, [&](const redisReply* r) {
    got.emplace_back(r ? reply_text(r) : "(null)");
  });
  run_until([&] { return got.size() == 2; });
  loop_.restart();
  loop_.run_for(30ms);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "(null)"}));
  EXPECT_TRUE(lost_.empty()) << "close() is not a loss";
}

}  // namespace
}  // namespace gale::pubsub::redis
