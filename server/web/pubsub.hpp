// The application's pub/sub (SPEC §6): what a handler reaches as pubsub().
//
//   // publish, then answer with the id the backend gave the message
//   pubsub::PublishResult r = co_await pubsub().publish("room", text);
//   // a long-poll: what came after `cursor`, or wait for the next message
//   auto messages = co_await pubsub().wait_after("room", cursor, 30s);
//   // a live feed that ends when `feed_` (a member) is destroyed
//   feed_ = pubsub().subscribe("room", [this](const pubsub::MessagePtr& m) {
//     ...
//   });
//
// One PubSub per worker, over the worker's hub (history, subscribers) and
// backend (the transport that orders messages across workers). It adds to
// them what a handler needs and the hub must not know: coroutines, timers,
// and the long-polls still waiting, so a draining worker can answer them
// all at once (wake_all_waiters()) and its clients re-poll to a live one.
//
// Everything runs on the worker's one loop; nothing here is thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/message.hpp"
#include "server/web/long_poll.hpp"
#include "server/web/long_polls.hpp"

namespace gale {

namespace detail {

// One long-poll waiting in wait_after(). It lives in the coroutine's frame,
// so everything it holds ends with the coroutine: when the client leaves,
// the cancelled frame unsubscribes and unlinks on its way out.
struct PubSubWaiter
    : boost::intrusive::list_base_hook<
          boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  explicit PubSubWaiter(const boost::asio::any_io_executor& executor)
      : timer(executor) {}

  // Ends the wait: the coroutine resumes from a later turn of the loop.
  void wake() {
    woken = true;
    timer.cancel();
  }

  boost::asio::steady_timer timer;  // the timeout; cancelled to wake
  pubsub::Subscription subscription;
  bool woken = false;  // by a message or a drain, not by the timeout
};

}  // namespace detail

class PubSub {
 public:
  using Messages = std::vector<pubsub::MessagePtr>;  // oldest first

  // Both must outlive this object (the worker owns all three).
  PubSub(pubsub::Hub& hub, pubsub::Backend& backend);
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Asks the backend to order `body` on `channel`. `published` carries the
  // message's id; `unavailable` means it was NOT published (answer 503, do
  // not pretend); `invalid` means the channel or body is out of bounds
  // (message.hpp). The message itself reaches this worker's subscribers and
  // waiters through the hub, before or after the result: assume neither.
  // Not cancellable: once asked, a publish completes even if the client
  // leaves, because the backend may already have ordered it.
  boost::asio::awaitable<pubsub::PublishResult> publish(std::string channel,
                                                        std::string body);
  // The callback form; `done` runs once, from a later turn of the loop.
  void publish(std::string channel, std::string body,
               pubsub::PublishCompletion done);

  // Calls `callback` for every message on `channel` from now on, until the
  // returned subscription is destroyed (make it a member of its owner).
  [[nodiscard]] pubsub::Subscription subscribe(std::string_view channel,
                                               pubsub::Hub::Callback callback);

  // Every kept message after `cursor`, now. An empty, unknown or evicted
  // cursor gives the whole kept history.
  Messages after(std::string_view channel, std::string_view cursor) const;

  // For long-polls. If messages after `cursor` are kept, returns them at
  // once. Else waits, and returns every kept message after `cursor` as
  // soon as a message is delivered on `channel`, or an empty list when
  // `timeout` passes or the worker starts draining. A cursor this worker
  // has not received yet but the backend says is on its way (another
  // worker answered it first; a new worker awaiting its history) is waited
  // for, not taken as unknown, so a client is never sent the whole history
  // again. If the coroutine is cancelled
  // (spawn(): the client left) it throws operation_aborted; the wait is
  // then gone entirely (no subscriber, no timer, no callback later).
  boost::asio::awaitable<Messages> wait_after(
      std::string channel, std::string cursor,
      std::chrono::steady_clock::duration timeout);

  // The same wait answered by callback: `poll` (a base of its owner, see
  // long_poll.hpp) gets on_long_poll() once, perhaps before this returns.
  // No coroutine, no timer, no allocation while it waits: one timer per
  // worker (set_long_poll_executor) answers the polls whose time is up.
  void wait_after(std::string_view channel, std::string cursor,
                  std::chrono::steady_clock::duration timeout, LongPoll& poll);
  // Where that timer runs (the worker's loop, or a test's); without it
  // only expire_long_polls() answers timeouts. The timer is that loop's: it
  // and this object go in either order; no poll may wait once it is gone.
  void set_long_poll_executor(const boost::asio::any_io_executor& executor) {
    long_polls_.set_executor(executor);
  }
  void expire_long_polls(std::chrono::steady_clock::time_point now) {
    long_polls_.expire(now);
  }

  // The worker is going away: answers every waiting wait_after() now with
  // what it has (often nothing), and every later one at once, so clients
  // re-poll to a worker that stays. Call it when draining starts.
  void wake_all_waiters();
  bool draining() const { return draining_; }

  // Long-polls waiting now, both forms (for /info-style counters and tests).
  std::size_t waiters() const {
    return waiters_.size() + long_polls_.waiting();
  }

  pubsub::Hub& hub() const { return hub_; }
  pubsub::Backend& backend() const { return backend_; }

 private:
  using WaiterList =
      boost::intrusive::list<detail::PubSubWaiter,
                             boost::intrusive::constant_time_size<false>>;

  bool should_not_wait() const;
  boost::asio::awaitable<bool> wait_for_delivery(
      const std::string& channel,
      std::chrono::steady_clock::time_point deadline);

  pubsub::Hub& hub_;
  pubsub::Backend& backend_;
  // Auto-unlinking: a waiter leaves on its own when its coroutine frame
  // dies, even if that happens after this list (loop torn down last).
  WaiterList waiters_;
  LongPolls long_polls_{hub_, backend_};
  bool draining_ = false;
};

}  // namespace gale
