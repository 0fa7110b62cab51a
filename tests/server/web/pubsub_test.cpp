// PubSub, the handlers' pub/sub: publish as a coroutine and as a callback,
// wait_after() answering at once, waking on a message, timing out, being
// cancelled with nothing left behind, and draining.
#include "server/web/pubsub.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/core/worker_state.hpp"
#include "server/pubsub/local_backend.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;
using Messages = PubSub::Messages;

std::vector<std::string> bodies(const Messages& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages)
    out.push_back(m->body);
  return out;
}

// One wait_after() run as a task, as a handler's spawn() runs it.
struct Wait {
  std::optional<Messages> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::cancellation_signal cancel;
};

class PubSubTest : public ::testing::Test {
 protected:
  ~PubSubTest() override {
    loop_.restart();
    loop_.poll();  // unwinds what a test left waiting
    this_worker() = saved_;
  }

  std::unique_ptr<Wait> wait(std::string cursor,
                             std::chrono::steady_clock::duration timeout = 10s,
                             std::string channel = "room") {
    auto w = std::make_unique<Wait>();
    Wait* raw = w.get();
    boost::asio::co_spawn(
        loop_,
        [](PubSub& ps, Wait& w, std::string channel, std::string cursor,
           std::chrono::steady_clock::duration timeout)
            -> boost::asio::awaitable<void> {
          w.result = co_await ps.wait_after(std::move(channel),
                                            std::move(cursor), timeout);
        }(pubsub_, *raw, std::move(channel), std::move(cursor), timeout),
        boost::asio::bind_cancellation_slot(raw->cancel.slot(),
                                            [raw](std::exception_ptr e) {
                                              raw->error = e;
                                              raw->done = true;
                                            }));
    return w;
  }

  // Publishes through the backend and runs the loop until it completes.
  std::string publish(const std::string& body, std::string channel = "room") {
    std::string id;
    bool done = false;
    pubsub_.publish(std::move(channel), body, [&](pubsub::PublishResult r) {
      id = r.id;
      done = true;
    });
    run_until([&] { return done; });
    return id;
  }

  template <class Pred>
  void run_until(Pred pred, std::chrono::milliseconds limit = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    loop_.restart();
    while (!pred() && loop_.run_one_until(deadline) > 0) {
    }
  }
  void settle() {
    loop_.restart();
    loop_.poll();
  }

  WorkerState saved_ = this_worker();
  boost::asio::io_context loop_;
  pubsub::Hub hub_{3};
  pubsub::LocalBackend backend_{hub_, [this](std::function<void()> task) {
                                  boost::asio::post(loop_, std::move(task));
                                }};
  PubSub pubsub_{hub_, backend_};
};

TEST_F(PubSubTest, PublishAsCoroutineGivesTheIdAndReachesTheHub) {
  std::optional<pubsub::PublishResult> result;
  boost::asio::co_spawn(
      loop_,
      [&]() -> boost::asio::awaitable<void> {
        result = co_await pubsub_.publish("room", "hello");
      },
      boost::asio::detached);
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, pubsub::PublishStatus::published);
  EXPECT_FALSE(result->id.empty());
  EXPECT_EQ(hub_.last_id("room"), result->id);
  EXPECT_EQ(bodies(pubsub_.after("room", "")),
            std::vector<std::string>{"hello"});
}

TEST_F(PubSubTest, PublishReportsAnInvalidChannel) {
  std::optional<pubsub::PublishResult> result;
  boost::asio::co_spawn(
      loop_,
      [&]() -> boost::asio::awaitable<void> {
        result = co_await pubsub_.publish("", "hello");
      },
      boost::asio::detached);
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, pubsub::PublishStatus::invalid);
}

TEST_F(PubSubTest, SubscriptionEndsWithItsOwner) {
  std::vector<std::string> seen;
  {
    pubsub::Subscription s = pubsub_.subscribe(
        "room", [&](const pubsub::MessagePtr& m) { seen.push_back(m->body); });
    publish("one");
    EXPECT_EQ(hub_.observers(), 1u);
  }
  publish("two");
  EXPECT_EQ(seen, std::vector<std::string>{"one"});
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(PubSubTest, WaitAnswersAtOnceWhenNewerMessagesAreKept) {
  std::string first = publish("a");
  publish("b");
  publish("c");
  auto w = wait(first);
  settle();
  ASSERT_TRUE(w->done);
  EXPECT_EQ(bodies(*w->result), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(PubSubTest, UnknownOrEvictedCursorGivesTheWholeHistory) {
  std::string first = publish("a");
  publish("b");
  publish("c");
  publish("d");  // history 3: "a" is evicted
  for (std::string cursor : {first, std::string("nope"), std::string()}) {
    auto w = wait(cursor);
    settle();
    ASSERT_TRUE(w->done) << cursor;
    EXPECT_EQ(bodies(*w->result), (std::vector<std::string>{"b", "c", "d"}));
  }
}

TEST_F(PubSubTest, WaitAtTheNewestIdWaitsAndWakesOnAMessage) {
  std::string last = publish("old");
  auto w = wait(last);
  settle();
  EXPECT_FALSE(w->done);
  EXPECT_EQ(pubsub_.waiters(), 1u);
  EXPECT_EQ(hub_.observers(), 1u);
  publish("new");
  run_until([&] { return w->done; });
  ASSERT_TRUE(w->done);
  EXPECT_FALSE(w->error);
  EXPECT_EQ(bodies(*w->result), std::vector<std::string>{"new"});
  EXPECT_EQ(pubsub_.waiters(), 0u);
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(PubSubTest, WaitOnAnEmptyChannelWakesOnTheFirstMessage) {
  auto w = wait("");
  settle();
  EXPECT_FALSE(w->done);
  publish("first");
  run_until([&] { return w->done; });
  ASSERT_TRUE(w->result);
  EXPECT_EQ(bodies(*w->result), std::vector<std::string>{"first"});
}

TEST_F(PubSubTest, AMessageOnAnotherChannelDoesNotWake) {
  auto w = wait("", 10s, "room");
  publish("elsewhere", "other");
  settle();
  EXPECT_FALSE(w->done);
  EXPECT_EQ(pubsub_.waiters(), 1u);
}

TEST_F(PubSubTest, OneMessageWakesEveryWaiter) {
  std::vector<std::unique_ptr<Wait>> waits;
  for (int i = 0; i < 200; ++i)
    waits.push_back(wait(""));
  settle();
  EXPECT_EQ(pubsub_.waiters(), 200u);
  publish("all");
  run_until([&] {
    for (auto& w : waits)
      if (!w->done) return false;
    return true;
  });
  for (auto& w : waits) {
    ASSERT_TRUE(w->result);
    EXPECT_EQ(bodies(*w->result), std::vector<std::string>{"all"});
  }
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(PubSubTest, TimeoutAnswersEmpty) {
  auto started = std::chrono::steady_clock::now();
  auto w = wait("", 50ms);
  run_until([&] { return w->done; });
  ASSERT_TRUE(w->done);
  EXPECT_FALSE(w->error);
  ASSERT_TRUE(w->result);
  EXPECT_TRUE(w->result->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(hub_.observers(), 0u);
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(PubSubTest, CancelledWaitLeavesNothingBehind) {
  auto w = wait("");
  settle();
  EXPECT_EQ(hub_.observers(), 1u);
  w->cancel.emit(boost::asio::cancellation_type::terminal);
  run_until([&] { return w->done; });
  ASSERT_TRUE(w->done);
  ASSERT_TRUE(w->error);
  try {
    std::rethrow_exception(w->error);
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), boost::asio::error::operation_aborted);
  }
  EXPECT_FALSE(w->result);
  EXPECT_EQ(hub_.observers(), 0u);
  EXPECT_EQ(pubsub_.waiters(), 0u);
  publish("late");  // reaches no one, touches nothing freed
  EXPECT_FALSE(w->result);
}

TEST_F(PubSubTest, WakeAllWaitersAnswersNowAndLaterWaitsAtOnce) {
  auto w1 = wait("");
  auto w2 = wait("");
  settle();
  EXPECT_EQ(pubsub_.waiters(), 2u);
  pubsub_.wake_all_waiters();
  settle();
  ASSERT_TRUE(w1->done && w2->done);
  EXPECT_TRUE(w1->result->empty());
  EXPECT_TRUE(w2->result->empty());
  EXPECT_EQ(hub_.observers(), 0u);
  auto w3 = wait("");
  settle();
  EXPECT_TRUE(w3->done);
  EXPECT_TRUE(pubsub_.draining());
}

TEST_F(PubSubTest, ADrainingWorkerDoesNotStartAWait) {
  this_worker().drain = DrainState::handing_over;
  auto w = wait("");
  settle();
  ASSERT_TRUE(w->done);
  EXPECT_TRUE(w->result->empty());
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(PubSubTest, WaitersOutlivingThePubSubAreSafe) {
  auto ps = std::make_unique<PubSub>(hub_, backend_);
  auto w = std::make_unique<Wait>();
  boost::asio::co_spawn(
      loop_,
      [&]() -> boost::asio::awaitable<void> {
        w->result = co_await ps->wait_after("room", "", 10s);
      },
      boost::asio::detached);
  settle();
  EXPECT_EQ(ps->waiters(), 1u);
  ps.reset();  // the waiter unlinks itself later, from nothing
  // Destroying the loop's pending work destroys the frame: no crash.
}

}  // namespace
}  // namespace gale
