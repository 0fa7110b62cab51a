// One pub/sub message, and the bounds every part of pub/sub agrees on.
//
// A message is immutable once the backend has given it an id. The hub wraps
// each one in a shared_ptr<const Message> when it arrives, so the history,
// every subscriber callback, a long-poll answer and a WebSocket write queue
// share one allocation: fanning a message out to N subscribers copies N
// pointers, never the body, and a slow writer keeps the bytes alive for as
// long as it needs them without the hub knowing. Channel, id and body travel
// together in that one block because nothing ever needs one without the
// others.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace gale::pubsub {

// Bounds of the relay wire format (relay_codec.hpp), checked again by a
// backend before it publishes, so a message that could not cross the relay
// is refused up front instead of lost on the way.
inline constexpr std::size_t kMaxChannelBytes = 256;       // 1..256
inline constexpr std::size_t kMaxIdBytes = 64;             // 1..64
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // 0..1 MiB

struct Message {
  std::string channel;
  // Opaque: unique within the channel and never empty. Its only meaning is
  // equality; the order of a channel is the order the backend delivers in.
  std::string id;
  std::string body;

  friend bool operator==(const Message&, const Message&) = default;
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace gale::pubsub
