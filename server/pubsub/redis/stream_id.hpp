// Redis stream ids ("<milliseconds>-<sequence>"), the message ids of the
// Redis backend: parsed to compare them, which Redis order makes meaningful
// (a later entry of the log has a greater id).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gale::pubsub::redis {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  friend auto operator<=>(const StreamId&, const StreamId&) = default;
};

// "1733212345678-0" -> {1733212345678, 0}; anything else (no dash, a sign,
// spaces, an empty part, digits past 64 bits): nullopt. Exact, because a
// cursor comes from a client.
std::optional<StreamId> parse_stream_id(std::string_view text);

}  // namespace gale::pubsub::redis
