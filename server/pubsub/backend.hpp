// The transport a hub sits on: what orders published messages and brings
// them to every worker (the master relay now, Redis later).
//
// Sending: publish() asks for a message to be given its place in the one
// global order and reports back once. It may fail, because a network
// backend can always fail; a handler turns a failure into 503 (SPEC §7),
// never into a silent loss.
//
// Receiving: a backend is built with the Hub it feeds and calls
// hub.deliver() for every ordered message, the publisher's own included,
// in the global order; and hub.resync() when it holds a channel's whole
// history: when the worker starts, when it fell behind (its queue at the
// master overflowed, frames were lost) and after a reconnect. The hub
// ignores a message it already has, so a backend may deliver the same
// message twice (live and again in a resync) without harm, and a late
// message is simply delivered when it comes. What the hub cannot fix is
// order: messages must reach deliver() in the global order, or be put
// right by a resync.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gale::pubsub {

enum class PublishStatus : std::uint8_t {
  // Ordered: PublishResult::id is its id. The message reaches every hub
  // through deliver(), this worker's included, either before or after this
  // completion runs: assume neither.
  published,
  // The backend is down, draining or timed out: the caller must treat the
  // message as not published (503). A timeout may hide a publish that did
  // happen; its message then arrives through deliver() like any other.
  unavailable,
  // Empty channel, channel over kMaxChannelBytes or body over
  // kMaxBodyBytes (message.hpp): nothing was sent.
  invalid,
};

struct PublishResult {
  PublishStatus status = PublishStatus::unavailable;
  std::string id;  // set when published
};

using PublishCompletion = std::function<void(PublishResult)>;

class Backend {
 public:
  virtual ~Backend() = default;

  // Sends (channel, body) to be ordered. `done` runs exactly once, from a
  // later turn of the event loop, never from inside publish() itself (so a
  // caller may hold locks or iterators across the call). A backend
  // destroyed with publishes pending drops their completions uncalled: it
  // dies only when the worker does.
  virtual void publish(std::string channel, std::string body,
                       PublishCompletion done) = 0;

  // Whether `cursor`, an id this worker's hub does not hold, names a
  // message of `channel` that has not reached this worker yet but will:
  // another worker may hand a client an id before this worker's copy
  // arrives, and a worker that has just started holds nothing until its
  // first resync. A long-poll with such a cursor waits for the message
  // instead of taking the cursor as unknown (which would answer the whole
  // history again). Only an id this backend can place in its order can be
  // ahead; the default knows none.
  virtual bool ahead(std::string_view channel, std::string_view cursor) const {
    (void)channel;
    (void)cursor;
    return false;
  }
};

}  // namespace gale::pubsub
