// Stream ids as cursors come from clients: parsed exactly, compared by
// milliseconds then sequence.
#include "server/pubsub/redis/stream_id.hpp"

#include <gtest/gtest.h>

namespace gale::pubsub::redis {
namespace {

TEST(RedisStreamId, ParsesRedisIds) {
  auto id = parse_stream_id("1733212345678-12");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->ms, 1733212345678u);
  EXPECT_EQ(id->seq, 12u);
  EXPECT_TRUE(parse_stream_id("0-0"));
  EXPECT_TRUE(parse_stream_id("18446744073709551615-18446744073709551615"));
}

TEST(RedisStreamId, RefusesEverythingElse) {
  for (const char* bad :
       {"", "-", "1-", "-1", "1", "1-2-3", "+1-2", "1-+2", " 1-2", "1-2 ",
        "a-1", "1-a", "18446744073709551616-0", "1.5-0", "0001-2x"})
    EXPECT_FALSE(parse_stream_id(bad)) << bad;
}

TEST(RedisStreamId, OrdersByTimeThenSequence) {
  auto a = *parse_stream_id("5-9");
  auto b = *parse_stream_id("6-0");
  auto c = *parse_stream_id("6-1");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(c, *parse_stream_id("6-1"));
}

}  // namespace
}  // namespace gale::pubsub::redis
