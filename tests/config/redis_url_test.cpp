// pubsub.redis_url: every accepted form, and a clear reason for each refusal.
#include "config/redis_url.hpp"

#include <gtest/gtest.h>

namespace gale {
namespace {

RedisEndpoint parsed(std::string_view url) {
  RedisUrlParse p = parse_redis_url(url);
  EXPECT_TRUE(p.endpoint) << url << ": " << p.problem;
  return p.endpoint.value_or(RedisEndpoint{});
}

std::string problem(std::string_view url) {
  RedisUrlParse p = parse_redis_url(url);
  EXPECT_FALSE(p.endpoint) << url;
  return p.problem;
}

TEST(RedisUrl, TheDefaultIsTheDefaultEndpoint) {
  EXPECT_EQ(parsed("redis://127.0.0.1:6379/0"), RedisEndpoint{});
}

TEST(RedisUrl, HostAloneKeepsPort6379AndDb0) {
  const RedisEndpoint e = parsed("redis://cache.internal");
  EXPECT_EQ(e.host, "cache.internal");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.db, 0);
  EXPECT_EQ(parsed("redis://cache.internal/").db, 0);
}

TEST(RedisUrl, PortAndDb) {
  const RedisEndpoint e = parsed("redis://10.0.0.5:6380/7");
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 7);
}

TEST(RedisUrl, BracketedIpv6) {
  const RedisEndpoint e = parsed("redis://[::1]:6390/2");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 6390);
  EXPECT_EQ(parsed("redis://[::1]").port, 6379);
  EXPECT_EQ(describe_redis_endpoint(e), "[::1]:6390 db 2");
}

TEST(RedisUrl, PasswordAloneAndUserWithPassword) {
  const RedisEndpoint a = parsed("redis://:s3cret@h:1/0");
  EXPECT_EQ(a.username, "");
  EXPECT_EQ(a.password, "s3cret");
  const RedisEndpoint b = parsed("redis://app:pw@h");
  EXPECT_EQ(b.username, "app");
  EXPECT_EQ(b.password, "pw");
}

TEST(RedisUrl, EscapedPasswordMayHoldAtAndColon) {
  EXPECT_EQ(parsed("redis://:p%40ss%3Aword@h").password, "p@ss:word");
  // The last '@' ends the credentials, so a raw '@' in a password works too.
  EXPECT_EQ(parsed("redis://:p@ss@h").password, "p@ss");
  EXPECT_EQ(parsed("redis://:p@ss@h").host, "h");
}

TEST(RedisUrl, DescribeNeverShowsThePassword) {
  const std::string text =
      describe_redis_endpoint(parsed("redis://u:topsecret@h:6380/3"));
  EXPECT_EQ(text, "h:6380 db 3");
  EXPECT_EQ(text.find("topsecret"), std::string::npos);
}

TEST(RedisUrl, UnixSocket) {
  const RedisEndpoint e = parsed("unix:///run/redis/redis.sock?db=4");
  EXPECT_EQ(e.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(e.db, 4);
  EXPECT_EQ(parsed("unix://:pw@/tmp/r.sock").password, "pw");
  EXPECT_EQ(describe_redis_endpoint(e), "/run/redis/redis.sock db 4");
}

TEST(RedisUrl, Refusals) {
  EXPECT_NE(problem("rediss://h").find("TLS"), std::string::npos);
  EXPECT_NE(problem("http://h").find("expected redis://"), std::string::npos);
  EXPECT_NE(problem("").find("expected redis://"), std::string::npos);
  EXPECT_NE(problem("redis://").find("host is missing"), std::string::npos);
  EXPECT_NE(problem("redis://:6379").find("host is missing"),
            std::string::npos);
  EXPECT_NE(problem("redis://h:").find("port"), std::string::npos);
  EXPECT_NE(problem("redis://h:0").find("port"), std::string::npos);
  EXPECT_NE(problem("redis://h:65536").find("port"), std::string::npos);
  EXPECT_NE(problem("redis://h:80x").find("port"), std::string::npos);
  EXPECT_NE(problem("redis://::1").find("host is missing"), std::string::npos);
  EXPECT_NE(problem("redis://[::1").find("unclosed"), std::string::npos);
  EXPECT_NE(problem("redis://[::1]x").find("':port'"), std::string::npos);
  EXPECT_NE(problem("redis://h/x").find("database"), std::string::npos);
  EXPECT_NE(problem("redis://h/-1").find("database"), std::string::npos);
  EXPECT_NE(problem("redis://pw@h").find("[user]:password@"),
            std::string::npos);
  EXPECT_NE(problem("redis://:p%4@h").find("escape"), std::string::npos);
  EXPECT_NE(problem("redis://:p%zz@h").find("escape"), std::string::npos);
  EXPECT_NE(problem("unix://relative.sock").find("absolute"),
            std::string::npos);
  EXPECT_NE(problem("unix:///r.sock?db=").find("database"), std::string::npos);
  EXPECT_NE(problem("unix:///r.sock?x=1").find("db=N"), std::string::npos);
}

}  // namespace
}  // namespace gale
