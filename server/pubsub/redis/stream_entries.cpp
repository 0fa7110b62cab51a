#include "server/pubsub/redis/stream_entries.hpp"

#include <hiredis/hiredis.h>

#include <string>

namespace gale::pubsub::redis {

namespace {

bool is_array(const redisReply* r, std::size_t at_least) {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY &&
         r->elements >= at_least;
}

std::string_view text(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return {};
  return {r->str, r->len};
}

}  // namespace

std::string_view entry_id(const redisReply* entry) {
  if (!is_array(entry, 2)) return {};
  return text(entry->element[0]);
}

std::optional<Message> entry_message(const redisReply* entry,
                                     std::string_view channel) {
  std::string_view id = entry_id(entry);
  const redisReply* fields = is_array(entry, 2) ? entry->element[1] : nullptr;
  if (id.empty() || !is_array(fields, 2)) return std::nullopt;
  std::optional<std::string_view> body;
  for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
    std::string_view name = text(fields->element[i]);
    std::string_view value = text(fields->element[i + 1]);
    if (name == "b") body = value;
    if (name == "c" && channel.empty()) channel = value;
  }
  if (!body || channel.empty()) return std::nullopt;
  return Message{std::string(channel), std::string(id), std::string(*body)};
}

const redisReply* xread_entries(const redisReply* reply) {
  // [[stream-name, [entry, ...]]]
  if (!is_array(reply, 1)) return nullptr;
  const redisReply* stream = reply->element[0];
  if (!is_array(stream, 2) || !is_array(stream->element[1], 1)) return nullptr;
  return stream->element[1];
}

}  // namespace gale::pubsub::redis
