// Where the Redis backend connects (SPEC §2 `pubsub.redis_url`).
//
// Accepted forms, as redis-cli and the Redis client libraries take them:
//   redis://[[username]:password@]host[:port][/db]
//   unix://[[username]:password@]/path/to/redis.sock[?db=N]
// The host may be a bracketed IPv6 literal ("[::1]"). User and password may
// carry %XX escapes (a password with '@' or ':' in it). rediss:// (TLS) is
// refused: hiredis 0.14, Debian 12's, has no TLS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gale {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string unix_path;  // set for unix://; host and port are then unused
  std::string username;   // empty = AUTH with the password alone (Redis < 6)
  std::string password;   // empty = no AUTH
  int db = 0;             // SELECT after connecting when not 0

  friend bool operator==(const RedisEndpoint&, const RedisEndpoint&) = default;
};

struct RedisUrlParse {
  std::optional<RedisEndpoint> endpoint;
  std::string problem;  // why not, when endpoint is empty
};

RedisUrlParse parse_redis_url(std::string_view url);

// "127.0.0.1:6379 db 2" or "/run/redis.sock db 0": for log lines, which
// must never show the password.
std::string describe_redis_endpoint(const RedisEndpoint& endpoint);

}  // namespace gale
