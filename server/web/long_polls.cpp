// Long-polls answered by callback, grouped by channel (long_polls.hpp).
#include "server/web/long_polls.hpp"

#include <utility>

namespace gale {

// The lists unlink what is still waiting (auto_unlink), so an owner that
// outlives this object later finds itself not waiting, and touches nothing.
LongPolls::~LongPolls() = default;

void LongPolls::wait_after(std::string_view channel, std::string cursor,
                           Clock::duration timeout, LongPoll& poll,
                           bool draining) {
  poll.cancel();
  poll.cursor = std::move(cursor);
  const std::string name(channel);
  if (try_answer(name, poll, draining || draining_)) return;
  park(channel_for(name), poll, timeout);
}

// The same rule as PubSub::wait_after(): a cursor the hub cannot place but
// the backend says is on its way is waited for, never taken as unknown
// (that would answer the whole history again).
bool LongPolls::try_answer(const std::string& channel, LongPoll& poll,
                           bool draining) {
  const std::string& cursor = poll.cursor;
  const bool ahead = !cursor.empty() && !hub_.contains(channel, cursor) &&
                     backend_.ahead(channel, cursor);
  if (!ahead) {
    Messages kept = hub_.after(channel, cursor);
    if (kept.empty() && !draining) return false;
    poll.cancel();
    poll.on_long_poll(std::move(kept));
    return true;
  }
  if (!draining) return false;
  poll.cancel();
  poll.on_long_poll({});
  return true;
}

void LongPolls::park(detail::WaitingChannel& channel, LongPoll& poll,
                     Clock::duration timeout) {
  poll.channel = &channel;
  channel.polls.push_back(poll);
  deadlines_for(timeout).arm(poll, Clock::now());
}

detail::WaitingChannel& LongPolls::channel_for(std::string_view name) {
  auto it = channels_.find(std::string(name));
  if (it != channels_.end()) return *it->second;
  auto owned = std::make_unique<detail::WaitingChannel>();
  detail::WaitingChannel& channel = *owned;
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
// message, and an owner destroyed meanwhile simply unlinks itself.
void LongPolls::on_delivery(detail::WaitingChannel& channel) {
  detail::PollsOnChannel now;
  now.splice(now.end(), channel.polls);
  while (!now.empty()) {
    LongPoll& poll = now.front();
    now.pop_front();
    if (!try_answer(channel.name, poll, draining_))
      channel.polls.push_back(poll);
  }
}

void LongPolls::expire(Clock::time_point now) {
  // By index: an owner answered here may poll again with a timeout of a
  // new length, which appends to deadlines_ (each list stays put: owned).
  for (std::size_t i = 0; i < deadlines_.size(); ++i) {
    deadlines_[i].second->expire(now, [](LongPoll& poll) {
      poll.cancel();
      poll.on_long_poll({});
    });
  }
  std::erase_if(channels_,
                [](const auto& entry) { return entry.second->polls.empty(); });
}

void LongPolls::answer_all() {
  draining_ = true;
  for (auto& [name, channel] : channels_)
    on_delivery(*channel);
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

}  // namespace gale
