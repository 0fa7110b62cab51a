#include "server/pubsub/redis/publish_script.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace gale::pubsub::redis {

const std::string_view kPublishScript =
    "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*',"
    " 'c', ARGV[1], 'b', ARGV[2])\n"
    "redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], id, 'b', ARGV[2])\n"
    "redis.call('SADD', KEYS[3], ARGV[1])\n"
    "return id\n";

std::string publish_script_sha1() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(kPublishScript.data(), kPublishScript.size(), digest, &length,
             EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

RedisKeys::RedisKeys(std::string_view prefix)
    : log(std::string(prefix) + ":log"),
      channels(std::string(prefix) + ":channels"),
      channel_prefix(std::string(prefix) + ":ch:") {}

std::size_t log_bound(std::size_t history) {
  return std::max<std::size_t>(10000, 50 * history);
}

}  // namespace gale::pubsub::redis
