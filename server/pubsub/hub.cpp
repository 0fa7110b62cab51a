// How the hub keeps histories and dispatches; hub.hpp has the contract.
//
// The state sits behind a shared_ptr so that a Subscription can hold a
// weak_ptr and safely outlive the hub. Channels live in a node-based map, so
// a Channel& stays valid while others come and go, and a channel is erased
// only outside a dispatch. Subscribers are a std::list: subscribing never
// moves another node, an unsubscribe during a dispatch only marks its node
// dead, and dead nodes are unlinked when the dispatch ends. A node is always
// unlinked into a local "grave" list before it is destroyed, because
// destroying a callback may run a captured Subscription's destructor, which
// re-enters the hub: by then every structure is consistent again.
#include "server/pubsub/hub.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace gale::pubsub {
namespace detail {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

struct Channel;

struct Subscriber {
  Hub::Callback callback;
  Channel* channel = nullptr;
  std::list<Subscriber>::iterator self;
  bool live = true;
};

struct Channel {
  std::string_view name;  // views the map key
  std::deque<MessagePtr> history;
  // id -> position number: history[i] has number first + i, so a lookup
  // survives eviction without renumbering. Keys view kept messages' ids.
  std::unordered_map<std::string_view, std::uint64_t> index;
  std::uint64_t first = 0;
  std::list<Subscriber> subscribers;
  bool dirty = false;  // queued in HubState::dirty
};

struct HubState {
  std::size_t limit = Hub::kDefaultHistory;
  std::unordered_map<std::string, Channel, StringHash, std::equal_to<>>
      channels;
  std::deque<MessagePtr> queue;  // accepted, not yet dispatched
  std::vector<Channel*> dirty;   // to tidy when the dispatch ends
  std::size_t observers = 0;
  bool dispatching = false;
};

namespace {

Channel& channel_for(HubState& st, std::string_view name) {
  auto it = st.channels.find(name);
  if (it == st.channels.end()) {
    it = st.channels.try_emplace(std::string(name)).first;
    it->second.name = it->first;
  }
  return it->second;
}

void mark_dirty(HubState& st, Channel& ch) {
  if (ch.dirty) return;
  ch.dirty = true;
  st.dirty.push_back(&ch);
}

// Bounded memory: a channel nobody listens to and nothing is kept for goes.
void drop_if_unused(HubState& st, Channel& ch) {
  if (!ch.history.empty() || !ch.subscribers.empty()) return;
  if (st.dispatching) return mark_dirty(st, ch);
  st.channels.erase(st.channels.find(ch.name));
}

// Runs when a dispatch ends: unlinks dead subscribers, drops unused
// channels, and only then destroys the dead callbacks (see the file note).
void tidy(HubState& st) {
  std::list<Subscriber> grave;
  std::vector<Channel*> dirty;
  dirty.swap(st.dirty);
  for (Channel* ch : dirty) {
    ch->dirty = false;
    for (auto it = ch->subscribers.begin(); it != ch->subscribers.end();) {
      auto next = std::next(it);
      if (!it->live) grave.splice(grave.end(), ch->subscribers, it);
      it = next;
    }
    drop_if_unused(st, *ch);
  }
}

void notify(Channel& ch, const MessagePtr& m) {
  if (ch.subscribers.empty()) return;
  // Subscribers added by these callbacks go after `last`: not this message.
  auto last = std::prev(ch.subscribers.end());
  for (auto it = ch.subscribers.begin();; ++it) {
    if (it->live) it->callback(m);
    if (it == last) break;
  }
}

// Dispatches the queue unless a dispatch is already running further up the
// stack, which will reach what was just queued.
void drain(HubState& st) {
  if (st.dispatching) return;
  st.dispatching = true;
  struct EndOfDispatch {
    HubState& st;
    ~EndOfDispatch() {
      st.dispatching = false;
      tidy(st);
    }
  } end{st};
  while (!st.queue.empty()) {
    MessagePtr m = std::move(st.queue.front());
    st.queue.pop_front();
    auto it = st.channels.find(m->channel);
    if (it != st.channels.end()) notify(it->second, m);
  }
}

void append(const HubState& st, Channel& ch, MessagePtr m) {
  ch.index.emplace(m->id, ch.first + ch.history.size());
  ch.history.push_back(std::move(m));
  while (ch.history.size() > st.limit) {
    ch.index.erase(ch.history.front()->id);
    ch.history.pop_front();
    ++ch.first;
  }
}

// The messages a resync keeps: ids non-empty, first copy of each id, the
// newest `limit` of them, oldest first.
std::vector<Message*> newest_unique(std::vector<Message>& history,
                                    std::size_t limit) {
  std::vector<Message*> kept;
  std::unordered_set<std::string_view> seen;
  for (Message& m : history)
    if (!m.id.empty() && seen.insert(m.id).second) kept.push_back(&m);
  if (kept.size() > limit)
    kept.erase(kept.begin(), kept.end() - static_cast<long>(limit));
  return kept;
}

}  // namespace

void unsubscribe(HubState& st, Subscriber& s) {
  if (!s.live) return;
  s.live = false;
  --st.observers;
  Channel& ch = *s.channel;
  if (st.dispatching) return mark_dirty(st, ch);
  std::list<Subscriber> grave;
  grave.splice(grave.end(), ch.subscribers, s.self);
  drop_if_unused(st, ch);
}

}  // namespace detail

Subscription::Subscription(Subscription&& other) noexcept
    : state_(std::move(other.state_)),
      subscriber_(std::exchange(other.subscriber_, nullptr)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::move(other.state_);
    subscriber_ = std::exchange(other.subscriber_, nullptr);
  }
  return *this;
}

void Subscription::reset() {
  detail::Subscriber* s = std::exchange(subscriber_, nullptr);
  std::shared_ptr<detail::HubState> st = state_.lock();
  state_.reset();
  if (s != nullptr && st) detail::unsubscribe(*st, *s);
}

bool Subscription::active() const {
  return subscriber_ != nullptr && !state_.expired();
}

Hub::Hub(std::size_t history) : state_(std::make_shared<detail::HubState>()) {
  state_->limit = std::max<std::size_t>(history, 1);
}

Hub::~Hub() = default;

bool Hub::deliver(Message message) {
  if (message.id.empty()) return false;
  auto it = state_->channels.find(message.channel);
  if (it != state_->channels.end() && it->second.index.contains(message.id))
    return false;  // checked before allocating: duplicates are common
  return deliver(std::make_shared<const Message>(std::move(message)));
}

bool Hub::deliver(MessagePtr message) {
  if (!message || message->id.empty()) return false;
  detail::Channel& ch = detail::channel_for(*state_, message->channel);
  if (ch.index.contains(message->id)) return false;
  detail::append(*state_, ch, message);
  state_->queue.push_back(std::move(message));
  detail::drain(*state_);
  return true;
}

Subscription Hub::subscribe(std::string_view channel, Callback callback) {
  detail::Channel& ch = detail::channel_for(*state_, channel);
  detail::Subscriber& s = ch.subscribers.emplace_back();
  s.callback = std::move(callback);
  s.channel = &ch;
  s.self = std::prev(ch.subscribers.end());
  ++state_->observers;
  return Subscription(state_, &s);
}

std::vector<MessagePtr> Hub::after(std::string_view channel,
                                   std::string_view cursor) const {
  auto found = state_->channels.find(channel);
  if (found == state_->channels.end()) return {};
  const detail::Channel& ch = found->second;
  std::size_t from = 0;
  if (auto it = ch.index.find(cursor); it != ch.index.end())
    from = static_cast<std::size_t>(it->second - ch.first) + 1;
  return {ch.history.begin() + static_cast<long>(from), ch.history.end()};
}

bool Hub::contains(std::string_view channel, std::string_view id) const {
  auto found = state_->channels.find(channel);
  return found != state_->channels.end() && found->second.index.contains(id);
}

std::string Hub::last_id(std::string_view channel) const {
  auto found = state_->channels.find(channel);
  if (found == state_->channels.end() || found->second.history.empty())
    return {};
  return found->second.history.back()->id;
}

void Hub::resync(std::string_view name, std::vector<Message> history) {
  detail::HubState& st = *state_;
  const std::string channel(name);  // `name` may view into `history`
  detail::Channel& ch = detail::channel_for(st, channel);
  std::deque<MessagePtr> kept;
  std::unordered_map<std::string_view, std::uint64_t> index;
  std::vector<MessagePtr> missed;
  for (Message* m : detail::newest_unique(history, st.limit)) {
    MessagePtr p;
    if (auto it = ch.index.find(m->id); it != ch.index.end()) {
      p = ch.history[static_cast<std::size_t>(it->second - ch.first)];
    } else {
      m->channel = channel;
      p = std::make_shared<const Message>(std::move(*m));
      missed.push_back(p);
    }
    index.emplace(p->id, kept.size());
    kept.push_back(std::move(p));
  }
  ch.history.swap(kept);
  ch.index.swap(index);
  ch.first = 0;
  for (MessagePtr& p : missed)
    st.queue.push_back(std::move(p));
  detail::drop_if_unused(st, ch);
  detail::drain(st);
}

std::vector<ChannelHistory> Hub::snapshot() const {
  std::vector<ChannelHistory> out;
  for (const auto& [name, ch] : state_->channels)
    if (!ch.history.empty())
      out.push_back({name, {ch.history.begin(), ch.history.end()}});
  std::sort(out.begin(), out.end(),
            [](const ChannelHistory& a, const ChannelHistory& b) {
              return a.channel < b.channel;
            });
  return out;
}

std::size_t Hub::observers() const {
  return state_->observers;
}
std::size_t Hub::channels() const {
  return state_->channels.size();
}
std::size_t Hub::history_limit() const {
  return state_->limit;
}

}  // namespace gale::pubsub
