// LocalBackend: ids from one generator, delivery straight into the hub,
// always from a deferred task (local_backend.hpp).
#include "server/pubsub/local_backend.hpp"

#include <deque>
#include <utility>

#include "server/pubsub/message.hpp"

namespace gale::pubsub {
namespace detail {

struct PendingPublish {
  std::string channel;
  std::string body;
  PublishCompletion done;
};

// Shared with the deferred tasks through a weak_ptr, so a task that runs
// after the backend died does nothing (backend.hpp: completions dropped).
struct LocalBackendState {
  LocalBackendState(Hub& h, LocalBackend::Defer d)
      : hub(h), defer(std::move(d)), ids(fresh_epoch()) {}

  Hub& hub;
  LocalBackend::Defer defer;
  IdGenerator ids;
  std::deque<PendingPublish> waiting;  // only without a Defer
};

namespace {

void complete(LocalBackendState& st, PendingPublish p) {
  if (!valid_publish(p.channel, p.body)) {
    p.done({PublishStatus::invalid, {}});
    return;
  }
  std::string id = st.ids.next();
  st.hub.deliver(Message{std::move(p.channel), id, std::move(p.body)});
  p.done({PublishStatus::published, std::move(id)});
}

}  // namespace
}  // namespace detail

bool valid_publish(std::string_view channel, std::string_view body) {
  return !channel.empty() && channel.size() <= kMaxChannelBytes &&
         body.size() <= kMaxBodyBytes;
}

LocalBackend::LocalBackend(Hub& hub, Defer defer)
    : state_(
          std::make_shared<detail::LocalBackendState>(hub, std::move(defer))) {}

LocalBackend::~LocalBackend() = default;

void LocalBackend::publish(std::string channel, std::string body,
                           PublishCompletion done) {
  detail::PendingPublish p{std::move(channel), std::move(body),
                           std::move(done)};
  if (!state_->defer) {
    state_->waiting.push_back(std::move(p));
    return;
  }
  // The id is taken when the task runs, not now: tasks run in post order,
  // so ids still follow publish order.
  std::weak_ptr<detail::LocalBackendState> weak = state_;
  auto task = [weak, p = std::make_shared<detail::PendingPublish>(
                         std::move(p))]() mutable {
    if (auto st = weak.lock()) detail::complete(*st, std::move(*p));
  };
  state_->defer(std::move(task));
}

std::size_t LocalBackend::run_pending() {
  std::size_t ran = 0;
  // Keep the state alive even if a completion destroys the backend.
  auto st = state_;
  while (!st->waiting.empty()) {
    detail::PendingPublish p = std::move(st->waiting.front());
    st->waiting.pop_front();
    detail::complete(*st, std::move(p));
    ++ran;
  }
  return ran;
}

std::size_t LocalBackend::pending() const {
  return state_->waiting.size();
}

}  // namespace gale::pubsub
