// Messages out of Redis stream replies (XRANGE, XREVRANGE, XREAD), which
// come as nested arrays: entry = [id, [field, value, field, value, ...]].
#pragma once

#include <optional>
#include <string_view>

#include "server/pubsub/message.hpp"

struct redisReply;

namespace gale::pubsub::redis {

// One entry as a message: its id, field `b` as the body, and field `c` as
// the channel, or `channel` when given (a channel's own stream has no `c`).
// nullopt for an entry of another shape (never written by gale).
std::optional<Message> entry_message(const redisReply* entry,
                                     std::string_view channel = {});

// The entries of the one stream in an XREAD reply, or nullptr when the
// reply holds none (a BLOCK that timed out answers nil).
const redisReply* xread_entries(const redisReply* reply);

// The id of an entry, empty when it has none.
std::string_view entry_id(const redisReply* entry);

}  // namespace gale::pubsub::redis
