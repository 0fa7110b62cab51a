// PubSub: the hub and the backend, with coroutines and long-poll waiters
// on top (pubsub.hpp).
#include "server/web/pubsub.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <memory>
#include <optional>
#include <utility>

#include "server/core/worker_state.hpp"
#include "server/web/poll_answer.hpp"

namespace gale {

PubSub::PubSub(pubsub::Hub& hub, pubsub::Backend& backend)
    : hub_(hub), backend_(backend) {}

// Waiters still linked belong to coroutine frames the loop has not
// destroyed yet; the list's destructor unlinks them (auto_unlink), so their
// own destructors later touch nothing of ours.
PubSub::~PubSub() = default;

boost::asio::awaitable<pubsub::PublishResult> PubSub::publish(
    std::string channel, std::string body) {
  auto initiate = [this](auto handler, std::string ch, std::string b) {
    // The completion is a std::function (copyable); the coroutine's handler
    // is move-only, so it waits in a shared_ptr. The backend completes from
    // a later turn of this loop, so resuming the coroutine inline is safe.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    backend_.publish(std::move(ch), std::move(b),
                     [shared](pubsub::PublishResult result) {
                       std::move (*shared)(std::move(result));
                     });
  };
  co_return co_await boost::asio::async_initiate<
      const boost::asio::use_awaitable_t<>&, void(pubsub::PublishResult)>(
      initiate, boost::asio::use_awaitable, std::move(channel),
      std::move(body));
}

void PubSub::publish(std::string channel, std::string body,
                     pubsub::PublishCompletion done) {
  backend_.publish(std::move(channel), std::move(body), std::move(done));
}

pubsub::Subscription PubSub::subscribe(std::string_view channel,
                                       pubsub::Hub::Callback callback) {
  return hub_.subscribe(channel, std::move(callback));
}

PubSub::Messages PubSub::after(std::string_view channel,
                               std::string_view cursor) const {
  return hub_.after(channel, cursor);
}

// A draining worker answers at once even before wake_all_waiters() has
// been called: a request that reaches it then must not wait either.
bool PubSub::should_not_wait() const {
  return draining_ || this_worker().drain != DrainState::running;
}

// Whether to answer now is answer_now()'s rule (poll_answer.hpp), the
// callback form's too. Each wake re-reads the hub after the cursor, so what
// a resync brought is answered from the cursor too, not as "what arrived".
boost::asio::awaitable<PubSub::Messages> PubSub::wait_after(
    std::string channel, std::string cursor,
    std::chrono::steady_clock::duration timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::optional<Messages> answer =
        answer_now(hub_, backend_, channel, cursor, should_not_wait());
    if (answer) co_return std::move(*answer);
    if (!co_await wait_for_delivery(channel, deadline)) co_return Messages{};
  }
}

// One wait for the next message on `channel`: true when one was delivered
// or draining began, false at the deadline. Throws operation_aborted when
// the coroutine is cancelled (the client left).
boost::asio::awaitable<bool> PubSub::wait_for_delivery(
    const std::string& channel,
    std::chrono::steady_clock::time_point deadline) {
  // No message can be delivered between the caller's look at the hub and
  // this subscription: both happen in this one turn of the loop, and the
  // hub delivers only from the backend's own turns.
  detail::PubSubWaiter waiter(co_await boost::asio::this_coro::executor);
  waiter.subscription =
      hub_.subscribe(channel, [&waiter](const pubsub::MessagePtr&) {
        if (!waiter.woken) waiter.wake();
      });
  waiters_.push_back(waiter);
  waiter.timer.expires_at(deadline);

  boost::system::error_code ec;
  co_await waiter.timer.async_wait(
      boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  waiter.subscription.reset();
  waiter.unlink();

  auto state = co_await boost::asio::this_coro::cancellation_state;
  if (state.cancelled() != boost::asio::cancellation_type::none)
    throw boost::system::system_error(boost::asio::error::operation_aborted);
  co_return waiter.woken;
}

void PubSub::wait_after(std::string_view channel, std::string cursor,
                        std::chrono::steady_clock::duration timeout,
                        LongPoll& poll) {
  long_polls_.wait_after(channel, std::move(cursor), timeout, poll,
                         should_not_wait());
}

void PubSub::wake_all_waiters() {
  draining_ = true;
  long_polls_.answer_all();
  for (detail::PubSubWaiter& waiter : waiters_)
    if (!waiter.woken) waiter.wake();
}

}  // namespace gale
