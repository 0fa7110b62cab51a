// The one rule of a long-poll, for both forms of PubSub::wait_after() (the
// coroutine, pubsub.cpp, and the callback, long_polls.cpp): what a poll with
// `cursor` is answered now, or that it waits. One function, so the two forms
// cannot drift apart.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/message.hpp"

namespace gale {

// What the hub keeps after `cursor` (all of it for an empty, unknown or
// evicted cursor) when that is not nothing; else an empty list when
// `draining` (the worker answers every poll at once); else nullopt: wait
// for the next message on `channel`. A cursor the hub cannot place but the
// backend says is on its way (Backend::ahead: another worker answered it
// first, or this worker awaits its first resync) is waited for, never taken
// as unknown: that would answer the whole history again.
std::optional<std::vector<pubsub::MessagePtr>> answer_now(
    const pubsub::Hub& hub, const pubsub::Backend& backend,
    std::string_view channel, std::string_view cursor, bool draining);

}  // namespace gale
