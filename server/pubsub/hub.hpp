// The per-worker pub/sub hub: each channel's recent history and its
// subscribers, fed by a backend (backend.hpp) in the one global order.
//
// It does no I/O and knows no clock, so it is tested alone. Ids are opaque
// strings compared only for equality: the local relay's "<epoch>-<seq>"
// and Redis stream ids both fit, and nothing assumes they are contiguous or
// sortable. The backend decides the order; the hub keeps it.
//
// Re-entrancy: a callback may publish, deliver, resync, subscribe or
// unsubscribe anyone (itself included). Messages that arrive while callbacks
// run are queued and dispatched after the current one, so every subscriber
// of every channel sees messages in the order the hub accepted them. The
// one thing a callback must not do is destroy the hub. One hub per event
// loop: nothing here is thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/pubsub/message.hpp"

namespace gale::pubsub {

namespace detail {
struct HubState;
struct Subscriber;
}  // namespace detail

// A live subscription; unsubscribes when destroyed or reset. It may outlive
// its hub (it then does nothing), and may be destroyed from inside any
// callback, its own included: a subscriber removed during a dispatch is not
// called again, and its callback object lives until that dispatch ends.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  // Unsubscribes now; a no-op when already done.
  void reset();
  // True until reset, moved from, or its hub is gone.
  bool active() const;

 private:
  friend class Hub;
  Subscription(std::weak_ptr<detail::HubState> state,
               detail::Subscriber* subscriber)
      : state_(std::move(state)), subscriber_(subscriber) {}

  std::weak_ptr<detail::HubState> state_;
  detail::Subscriber* subscriber_ = nullptr;
};

struct ChannelHistory {
  std::string channel;
  std::vector<MessagePtr> messages;  // oldest first
};

class Hub {
 public:
  // Called once per message, in order. Must not throw: an exception leaves
  // deliver()/resync() with the hub consistent, but the subscribers after
  // the thrower miss that message.
  using Callback = std::function<void(const MessagePtr&)>;

  static constexpr std::size_t kDefaultHistory = 200;  // pubsub.history

  // `history` messages are kept per channel; 0 is taken as 1, because the
  // newest message is what duplicate detection and cursors stand on.
  explicit Hub(std::size_t history = kDefaultHistory);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Appends a message to its channel's history (evicting the oldest past
  // the bound) and calls the channel's subscribers in subscription order.
  // A message whose id is already kept, or whose id is empty, is ignored:
  // returns false. Duplicates are caught only while the first copy is kept.
  bool deliver(Message message);
  bool deliver(MessagePtr message);

  // Calls `callback` for every message dispatched on `channel` from now on
  // (not for history: read that with after()). A subscription made during a
  // dispatch starts with the next message dispatched.
  [[nodiscard]] Subscription subscribe(std::string_view channel,
                                       Callback callback);

  // Every kept message after `cursor`, oldest first. An empty, unknown or
  // evicted cursor gives the whole kept history; the newest id gives none.
  std::vector<MessagePtr> after(std::string_view channel,
                                std::string_view cursor) const;

  // Whether the channel keeps a message with this id (a cursor after() can
  // place, as opposed to an unknown or evicted one).
  bool contains(std::string_view channel, std::string_view id) const;

  // The id of the channel's newest kept message, empty if none.
  std::string last_id(std::string_view channel) const;

  // Replaces the channel's history with `history` (oldest first; each
  // message's channel is set to `channel`; repeated ids keep the first; the
  // newest `history` bound survive). Subscribers are then called, in the new
  // order, with every kept message whose id the old history did not hold:
  // what they missed, never what they had. Messages only the old history
  // held are dropped without notice; a subscriber that fell further behind
  // than the bound has a gap it is not told about.
  void resync(std::string_view channel, std::vector<Message> history);

  // Every channel that has history, sorted by name: what the master sends a
  // worker that starts.
  std::vector<ChannelHistory> snapshot() const;

  std::size_t observers() const;  // live subscriptions, all channels
  std::size_t channels() const;   // channels with history or subscribers
  std::size_t history_limit() const;

 private:
  std::shared_ptr<detail::HubState> state_;
};

}  // namespace gale::pubsub
