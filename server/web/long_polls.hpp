// The long-polls of one worker waiting through the callback form
// (long_poll.hpp), grouped by channel: each channel with waiters holds ONE
// hub subscription, and a message delivered on it answers them all in one
// pass, from inside the delivery, with no task posted per waiter. Deadlines
// sit in per-duration FIFO lists (every poll of a list waits the same time,
// so appending keeps it sorted) and ONE timer for the earliest of them
// (given an executor; without one, only expire() answers timeouts).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <optional>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/core/timeout_list.hpp"
#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/web/long_poll.hpp"

namespace gale {

class LongPolls;

namespace detail {

using PollsOnChannel = boost::intrusive::list<
    LongPoll,
    boost::intrusive::member_hook<LongPoll, ListHook, &LongPoll::channel_hook>,
    boost::intrusive::constant_time_size<false>>;

struct WaitingChannel {
  LongPolls* owner = nullptr;
  std::string name;
  pubsub::Subscription subscription;
  PollsOnChannel polls;
};

}  // namespace detail

class LongPolls {
 public:
  using Messages = LongPoll::Messages;

  LongPolls(pubsub::Hub& hub, pubsub::Backend& backend)
      : hub_(hub), backend_(backend) {}
  LongPolls(const LongPolls&) = delete;
  LongPolls& operator=(const LongPolls&) = delete;
  ~LongPolls();

  // PubSub::wait_after()'s callback form (long_poll.hpp). `draining` says
  // whether the worker answers every poll at once.
  void wait_after(std::string_view channel, std::string cursor,
                  Clock::duration timeout, LongPoll& poll, bool draining);

  // Answers, empty, every poll whose deadline has passed; drops channels
  // nobody waits on any more. Called from the worker's tick.
  void expire(Clock::time_point now);

  // Answers every waiting poll now with what is kept after its cursor.
  void answer_all();

  // Where the timeout timer runs (the worker's loop). Without it, only
  // expire() answers polls whose time is up. The loop and this object may
  // then be destroyed in either order: the timer is the loop's (below).
  void set_executor(const boost::asio::any_io_executor& executor);

  // A channel's last waiter left (LongPoll::cancel): its subscription
  // goes now, or once the dispatch running goes.
  void left(detail::WaitingChannel& channel);

  std::size_t waiting() const;

 private:
  using Deadlines = TimeoutList<LongPoll, &LongPoll::timeout_hook>;

  // Answers `poll` if it should not wait (messages after its cursor, or
  // draining) and returns true; else false.
  bool try_answer(const std::string& channel, LongPoll& poll, bool draining);
  void park(detail::WaitingChannel& channel, LongPoll& poll,
            Clock::duration timeout);
  void on_delivery(detail::WaitingChannel& channel);
  detail::WaitingChannel& channel_for(std::string_view name);
  Deadlines& deadlines_for(Clock::duration timeout);
  void arm_timer(Clock::time_point deadline);
  void arm_earliest();
  void on_timer();
  // Drops channels nobody waits on, unless a dispatch is running (then
  // when it ends: it may hold a reference to one).
  void sweep();

  // Counts nested dispatches (deliveries, expiries, drains) in progress.
  struct Dispatching {
    explicit Dispatching(LongPolls& polls) : polls(polls) { ++polls.depth_; }
    ~Dispatching() {
      if (--polls.depth_ == 0 && polls.sweep_wanted_) polls.sweep();
    }
    LongPolls& polls;
  };

  pubsub::Hub& hub_;
  pubsub::Backend& backend_;
  bool draining_ = false;
  int depth_ = 0;
  bool sweep_wanted_ = false;
  std::optional<boost::asio::any_io_executor> executor_;
  // The timer is owned by its own pending wait, that is by the loop, and
  // so can never outlive it (an I/O object destroyed after its io_context
  // is a use-after-free): this object, which may outlive the loop, only
  // watches it. Alive means its loop is alive.
  std::weak_ptr<boost::asio::steady_timer> timer_;
  std::optional<Clock::time_point> timer_at_;  // when armed
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unordered_map<std::string, std::unique_ptr<detail::WaitingChannel>>
      channels_;
  // One list per distinct timeout (a handful at most: usually one).
  std::vector<std::pair<Clock::duration, std::unique_ptr<Deadlines>>>
      deadlines_;
};

}  // namespace gale
