// Long-polls without a coroutine: the waiter is a base of its owner (a
// handler), so a waiting poll costs no allocation, no timer and no
// subscription of its own. The coroutine form, PubSub::wait_after(), is the
// convenient one; this is the one for a hot route such as the chat's
// /chat/updates, where thousands of clients re-poll the moment they are
// answered (issue 10's storm: a coroutine frame, a cancellation slot, a
// steady_timer and a hub subscriber per poll were a fifth of the worker's
// CPU per answered poll).
//
//   struct Updates : RequestHandler, LongPoll {
//     void post() override {
//       finish_later();
//       pubsub().wait_after("room", get_argument("cursor", ""), 30s, *this);
//     }
//     void on_long_poll(PubSub::Messages m) override { write(...); finish(); }
//   };
//
// on_long_poll() runs exactly once per wait_after(): at once when messages
// after the cursor are kept, else when the next message on the channel is
// delivered (from inside that delivery), at the timeout or when the worker
// starts draining (with an empty list). Destroying the owner, or cancel(),
// ends a wait silently, and the channel's hub subscription goes with its
// last waiter.
#pragma once

#include <boost/intrusive/list_hook.hpp>

#include <string>
#include <utility>
#include <vector>

#include "server/core/timeout_list.hpp"
#include "server/pubsub/message.hpp"

namespace gale {

namespace detail {
struct WaitingChannel;
// Forgets a channel its last waiter left (long_polls.cpp).
void left_channel(WaitingChannel& channel);
}  // namespace detail

class LongPoll {
 public:
  using Messages = std::vector<pubsub::MessagePtr>;  // oldest first

  LongPoll() = default;
  LongPoll(const LongPoll&) = delete;
  LongPoll& operator=(const LongPoll&) = delete;
  virtual ~LongPoll() { cancel(); }

  virtual void on_long_poll(Messages messages) = 0;

  // Ends the wait without an answer; a no-op when not waiting.
  void cancel() {
    const bool was_waiting = channel_hook.is_linked();
    channel_hook.unlink();
    timeout_hook.unlink();
    detail::WaitingChannel* left = std::exchange(channel, nullptr);
    if (was_waiting && left) detail::left_channel(*left);
  }
  bool waiting() const { return channel_hook.is_linked(); }

  // The waiting state, PubSub's (long_polls.cpp) and nobody else's.
  ListHook channel_hook;
  ListHook timeout_hook;
  Clock::time_point deadline{};
  std::string cursor;
  detail::WaitingChannel* channel = nullptr;
};

}  // namespace gale
