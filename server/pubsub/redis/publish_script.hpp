// The Lua script that publishes one message, and the Redis keys it writes.
//
// Keys, all under the configured prefix:
//   <prefix>:log          one stream of every message of every channel
//                         (fields c = channel, b = body): what every worker
//                         reads, in the one order Redis gave them
//   <prefix>:ch:<channel> one stream per channel, the last `history`
//                         messages with the same ids: the history cursors
//                         walk and a starting worker loads
//   <prefix>:channels     a set of the channel names
// The script appends to both streams and the set at once (a script is
// atomic in Redis), so no reader ever sees one without the other. The
// channel stream reuses the id the log gave: the channel's ids are a subset
// of the log's increasing ids, so they increase too.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gale::pubsub::redis {

// KEYS: log, channel stream, channel set. ARGV: channel, body, the log's
// approximate bound, the channel's exact bound. Returns the new id.
extern const std::string_view kPublishScript;

// Its SHA-1 in hex, as SCRIPT LOAD answers and EVALSHA takes.
std::string publish_script_sha1();

struct RedisKeys {
  explicit RedisKeys(std::string_view prefix);
  std::string log;
  std::string channels;
  std::string channel_prefix;  // "<prefix>:ch:" + channel name
};

// The log keeps every channel's messages: enough that a worker that lost
// its connection for a moment can read on from where it was.
std::size_t log_bound(std::size_t history);

}  // namespace gale::pubsub::redis
