// RedisBackend, part two: catching up after every (re)connect, then
// following the log. The order of the steps is what makes catching up
// lose nothing: the log's newest id L is read first, the histories after
// it, and the reader follows the log from L, so whatever was posted while
// the histories were read comes again from the log (and the hub drops
// what it already has).
#include <hiredis/hiredis.h>

#include <set>
#include <utility>
#include <vector>

#include "server/core/log.hpp"
#include "server/pubsub/redis/redis_backend.hpp"
#include "server/pubsub/redis/stream_entries.hpp"

namespace gale::pubsub::redis {

namespace {

bool is_array(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ARRAY;
}

}  // namespace

// Pipelined on the command connection; Redis answers in this order.
void RedisBackend::begin_sync(std::uint64_t session) {
  auto within = options_.publish_timeout;
  commands_.command({"SCRIPT", "LOAD", kPublishScript}, within,
                    [this, session](const redisReply* reply) {
                      if (reply != nullptr && reply_text(reply) != script_sha1_)
                        on_lost(session, "SCRIPT LOAD refused: " +
                                             std::string(reply_text(reply)));
                    });
  commands_.command({"XREVRANGE", keys_.log, "+", "-", "COUNT", "1"}, within,
                    [this, session](const redisReply* reply) {
                      on_newest_log_id(session, reply);
                    });
  commands_.command({"SMEMBERS", keys_.channels}, within,
                    [this, session](const redisReply* reply) {
                      on_channel_names(session, reply);
                    });
}

void RedisBackend::on_newest_log_id(std::uint64_t session,
                                    const redisReply* reply) {
  if (reply == nullptr || !current(session)) return;
  if (!is_array(reply)) {
    on_lost(session, "XREVRANGE refused: " + std::string(reply_text(reply)));
    return;
  }
  // An empty log: read it from its start.
  sync_from_ = reply->elements == 0 ? std::string("0-0")
                                    : std::string(entry_id(reply->element[0]));
  if (sync_from_.empty()) sync_from_ = "0-0";
}

void RedisBackend::on_channel_names(std::uint64_t session,
                                    const redisReply* reply) {
  if (reply == nullptr || !current(session)) return;
  if (!is_array(reply)) {
    on_lost(session, "SMEMBERS refused: " + std::string(reply_text(reply)));
    return;
  }
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    std::string_view name = reply_text(reply->element[i]);
    if (!name.empty()) names.emplace(name);
  }
  // Redis is the truth: a channel this hub holds that Redis no longer
  // knows (its data was flushed) is emptied, as on every other instance.
  for (const ChannelHistory& held : hub_.snapshot())
    if (!names.contains(held.channel)) hub_.resync(held.channel, {});
  histories_left_ = names.size();
  if (names.empty()) {
    start_following(session);
    return;
  }
  for (const std::string& name : names) {
    channel_key_.assign(keys_.channel_prefix).append(name);
    commands_.command(
        {"XREVRANGE", channel_key_, "+", "-", "COUNT", history_arg_},
        options_.publish_timeout,
        [this, session, name](const redisReply* reply) {
          on_channel_history(session, name, reply);
        });
  }
}

void RedisBackend::on_channel_history(std::uint64_t session,
                                      const std::string& channel,
                                      const redisReply* reply) {
  if (reply == nullptr || !current(session)) return;
  if (!is_array(reply)) {
    on_lost(session, "XREVRANGE refused: " + std::string(reply_text(reply)));
    return;
  }
  std::vector<Message> history;
  history.reserve(reply->elements);
  for (std::size_t i = reply->elements; i-- > 0;)  // newest first: reverse
    if (auto m = entry_message(reply->element[i], channel))
      history.push_back(std::move(*m));
  hub_.resync(channel, std::move(history));
  if (current(session) && --histories_left_ == 0) start_following(session);
}

void RedisBackend::start_following(std::uint64_t session) {
  read_from_ = sync_from_;
  if (auto l = parse_stream_id(sync_from_); l && (!newest_ || *newest_ < *l))
    newest_ = l;
  synced_once_ = true;
  note_back();
  read_log(session);
}

void RedisBackend::read_log(std::uint64_t session) {
  if (!current(session)) return;
  // No answer within twice the BLOCK time: the connection is dead.
  reader_.command({"XREAD", "COUNT", "1000", "BLOCK", block_arg_, "STREAMS",
                   keys_.log, read_from_},
                  options_.block * 2 + std::chrono::milliseconds(500),
                  [this, session](const redisReply* reply) {
                    on_log_entries(session, reply);
                  });
}

void RedisBackend::on_log_entries(std::uint64_t session,
                                  const redisReply* reply) {
  if (reply == nullptr || !current(session)) return;
  if (reply->type == REDIS_REPLY_ERROR) {
    on_lost(session, "XREAD refused: " + std::string(reply_text(reply)));
    return;
  }
  if (const redisReply* entries = xread_entries(reply)) {
    for (std::size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      std::string_view id = entry_id(entry);
      if (id.empty()) continue;
      read_from_.assign(id);
      if (auto parsed = parse_stream_id(id)) newest_ = parsed;
      if (auto m = entry_message(entry)) hub_.deliver(std::move(*m));
      // A subscriber's publish cannot end the session (only replies and
      // timers do), but stay safe should that change.
      if (!current(session)) return;
    }
  }
  read_log(session);
}

}  // namespace gale::pubsub::redis
