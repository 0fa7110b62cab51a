// Long-polls answered by callback, grouped by channel (long_polls.hpp).
#include "server/web/long_polls.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "server/web/poll_answer.hpp"

namespace gale {

namespace detail {

void left_channel(WaitingChannel& channel) {
  if (channel.owner) channel.owner->left(channel);
}

}  // namespace detail

// Polls still waiting are told they wait no more (their owners may outlive
// this object and cancel later); the lists unlink them as they go.
LongPolls::~LongPolls() {
  *alive_ = false;
  if (auto timer = timer_.lock()) timer->cancel();  // its wait ends now
  for (auto& [name, channel] : channels_) {
    channel->owner = nullptr;
    for (LongPoll& poll : channel->polls)
      poll.channel = nullptr;
  }
}

// A timer armed on another loop is let go (its wait ends at once, to no
// effect); the earliest deadline waiting is armed on the new one.
void LongPolls::set_executor(const boost::asio::any_io_executor& executor) {
  if (auto timer = timer_.lock()) timer->cancel();
  timer_.reset();
  timer_at_.reset();
  executor_ = executor;
  arm_earliest();
}

void LongPolls::wait_after(std::string_view channel, std::string cursor,
                           Clock::duration timeout, LongPoll& poll,
                           bool draining) {
  poll.cancel();
  poll.cursor = std::move(cursor);
  const std::string name(channel);
  if (try_answer(name, poll, draining || draining_)) return;
  park(channel_for(name), poll, timeout);
}

// The rule is answer_now()'s (poll_answer.hpp), the coroutine form's too.
bool LongPolls::try_answer(const std::string& channel, LongPoll& poll,
                           bool draining) {
  std::optional<Messages> answer =
      answer_now(hub_, backend_, channel, poll.cursor, draining);
  if (!answer) return false;
  poll.cancel();
  poll.on_long_poll(std::move(*answer));
  return true;
}

void LongPolls::park(detail::WaitingChannel& channel, LongPoll& poll,
                     Clock::duration timeout) {
  poll.channel = &channel;
  channel.polls.push_back(poll);
  deadlines_for(timeout).arm(poll, Clock::now());
  arm_timer(poll.deadline);
}

detail::WaitingChannel& LongPolls::channel_for(std::string_view name) {
  auto it = channels_.find(std::string(name));
  if (it != channels_.end()) return *it->second;
  auto owned = std::make_unique<detail::WaitingChannel>();
  detail::WaitingChannel& channel = *owned;
  channel.owner = this;
  channel.name = std::string(name);
  // One subscription per channel, however many wait on it.
  channel.subscription = hub_.subscribe(
      name,
      [this, &channel](const pubsub::MessagePtr&) { on_delivery(channel); });
  channels_.emplace(channel.name, std::move(owned));
  return channel;
}

// Every poll waiting now is looked at once: the ones the message answers
// get it, the ones still ahead of the hub (their cursor not here yet) wait
// on. Taken out of the channel's list first, so an owner that polls again
// from inside its callback (a pipelined request) waits for the next
// message, and an owner destroyed meanwhile simply unlinks itself. The
// channel, if nobody waits any more, goes when this dispatch ends.
void LongPolls::on_delivery(detail::WaitingChannel& channel) {
  Dispatching guard(*this);
  detail::PollsOnChannel now;
  now.splice(now.end(), channel.polls);
  while (!now.empty()) {
    LongPoll& poll = now.front();
    now.pop_front();
    if (!try_answer(channel.name, poll, draining_))
      channel.polls.push_back(poll);
  }
  if (channel.polls.empty()) sweep_wanted_ = true;
}

void LongPolls::expire(Clock::time_point now) {
  Dispatching guard(*this);
  // By index: an owner answered here may poll again with a timeout of a
  // new length, which appends to deadlines_ (each list stays put: owned).
  for (std::size_t i = 0; i < deadlines_.size(); ++i) {
    deadlines_[i].second->expire(now, [](LongPoll& poll) {
      poll.cancel();
      poll.on_long_poll({});
    });
  }
  sweep_wanted_ = true;
}

void LongPolls::answer_all() {
  Dispatching guard(*this);
  draining_ = true;
  for (auto& [name, channel] : channels_)
    on_delivery(*channel);
}

void LongPolls::left(detail::WaitingChannel& channel) {
  if (!channel.polls.empty()) return;
  sweep_wanted_ = true;
  if (depth_ == 0) sweep();
}

void LongPolls::sweep() {
  sweep_wanted_ = false;
  std::erase_if(channels_,
                [](const auto& entry) { return entry.second->polls.empty(); });
}

std::size_t LongPolls::waiting() const {
  std::size_t n = 0;
  for (const auto& [name, channel] : channels_)
    n += channel->polls.size();
  return n;
}

LongPolls::Deadlines& LongPolls::deadlines_for(Clock::duration timeout) {
  for (auto& [d, list] : deadlines_)
    if (d == timeout) return *list;
  deadlines_.emplace_back(timeout, std::make_unique<Deadlines>(timeout));
  return *deadlines_.back().second;
}

// One timer for the earliest deadline: with one timeout for every poll (the
// chat's), a new poll's deadline is the latest, so parking re-arms nothing.
// The wait holds the timer (timer_ only watches it): destroying the loop
// destroys the wait and the timer with it, while their services still live.
void LongPolls::arm_timer(Clock::time_point deadline) {
  if (!executor_) return;
  std::shared_ptr<boost::asio::steady_timer> timer = timer_.lock();
  if (timer && timer_at_ && *timer_at_ <= deadline) return;
  if (!timer) {
    timer = std::make_shared<boost::asio::steady_timer>(*executor_);
    timer_ = timer;
  }
  timer_at_ = deadline;
  timer->expires_at(deadline);  // ends the wait pending, if any
  timer->async_wait([this, timer, alive = std::weak_ptr<bool>(alive_)](
                        const boost::system::error_code& ec) {
    if (!ec && !alive.expired()) on_timer();
  });
}

void LongPolls::arm_earliest() {
  std::optional<Clock::time_point> next;
  for (auto& [d, list] : deadlines_)
    if (auto front = list->front_deadline())
      next = next ? std::min(*next, *front) : *front;
  if (next) arm_timer(*next);
}

void LongPolls::on_timer() {
  timer_at_.reset();
  expire(Clock::now());
  arm_earliest();
}

}  // namespace gale
