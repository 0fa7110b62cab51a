// The callback form of PubSub::wait_after() (long_poll.hpp, long_polls.hpp):
// answered at once, woken by a delivery in one pass, timed out by the
// tick, cancelled or destroyed with nothing left behind, answered on drain,
// a cursor ahead of the hub waited for, and owners that poll again or
// vanish from inside their own callback.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/core/worker_state.hpp"
#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/web/pubsub.hpp"
#include "tests/server/web/stub_backend.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;

using web_test::StubBackend;

struct Poll : LongPoll {
  void on_long_poll(Messages messages) override {
    ++answers;
    for (const auto& m : messages)
      bodies.push_back(m->body);
    if (then) then(*this);
  }
  int answers = 0;
  std::vector<std::string> bodies;
  std::function<void(Poll&)> then;  // runs inside the callback
};

class LongPollTest : public ::testing::Test {
 protected:
  ~LongPollTest() override { this_worker() = saved_; }

  void deliver(const std::string& id, const std::string& body,
               const std::string& channel = "room") {
    hub_.deliver(pubsub::Message{channel, id, body});
  }
  void wait(Poll& poll, std::string cursor,
            std::chrono::steady_clock::duration timeout = 30s,
            const std::string& channel = "room") {
    pubsub_.wait_after(channel, std::move(cursor), timeout, poll);
  }

  WorkerState saved_ = this_worker();
  pubsub::Hub hub_{3};
  StubBackend backend_;
  PubSub pubsub_{hub_, backend_};
};

TEST_F(LongPollTest, AnswersAtOnceWhenNewerMessagesAreKept) {
  deliver("1", "a");
  deliver("2", "b");
  Poll p;
  wait(p, "1");
  EXPECT_EQ(p.answers, 1);
  EXPECT_EQ(p.bodies, std::vector<std::string>{"b"});
  EXPECT_FALSE(p.waiting());
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(LongPollTest, UnknownCursorGetsTheWholeHistoryAtOnce) {
  deliver("1", "a");
  deliver("2", "b");
  Poll p;
  wait(p, "nope");
  EXPECT_EQ(p.bodies, (std::vector<std::string>{"a", "b"}));
}

TEST_F(LongPollTest, OneDeliveryAnswersEveryWaiterOnceAndOnlyItsChannel) {
  deliver("1", "a");
  std::vector<std::unique_ptr<Poll>> polls;
  for (int i = 0; i < 200; ++i) {
    polls.push_back(std::make_unique<Poll>());
    wait(*polls.back(), "1");
  }
  Poll elsewhere;
  wait(elsewhere, "", 30s, "other");
  EXPECT_EQ(pubsub_.waiters(), 201u);
  deliver("2", "b");
  for (const auto& p : polls) {
    EXPECT_EQ(p->answers, 1);
    EXPECT_EQ(p->bodies, std::vector<std::string>{"b"});
  }
  EXPECT_EQ(elsewhere.answers, 0);
  EXPECT_EQ(pubsub_.waiters(), 1u);
  deliver("3", "c");  // answered ones are not called again
  for (const auto& p : polls)
    EXPECT_EQ(p->answers, 1);
}

TEST_F(LongPollTest, TimesOutEmptyOnTheTickAfterItsDeadline) {
  Poll p;
  wait(p, "", 1s);
  pubsub_.expire_long_polls(std::chrono::steady_clock::now());
  EXPECT_EQ(p.answers, 0);
  pubsub_.expire_long_polls(std::chrono::steady_clock::now() + 2s);
  EXPECT_EQ(p.answers, 1);
  EXPECT_TRUE(p.bodies.empty());
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(LongPollTest, DifferentTimeoutsExpireEachAtItsOwnTime) {
  Poll long_one, short_one;
  wait(long_one, "", 10s);
  wait(short_one, "", 1s);
  pubsub_.expire_long_polls(std::chrono::steady_clock::now() + 2s);
  EXPECT_EQ(short_one.answers, 1);
  EXPECT_EQ(long_one.answers, 0);
}

TEST_F(LongPollTest, CancelledOrDestroyedPollsAreNeverCalled) {
  Poll cancelled;
  wait(cancelled, "");
  auto destroyed = std::make_unique<Poll>();
  wait(*destroyed, "");
  EXPECT_EQ(pubsub_.waiters(), 2u);
  cancelled.cancel();
  destroyed.reset();
  EXPECT_EQ(pubsub_.waiters(), 0u);
  deliver("1", "a");
  pubsub_.expire_long_polls(std::chrono::steady_clock::now() + 60s);
  EXPECT_EQ(cancelled.answers, 0);
}

TEST_F(LongPollTest, AnOwnerMayPollAgainFromItsCallbackAndWaitsForTheNext) {
  deliver("1", "a");
  Poll p;
  p.then = [this](Poll& self) {
    if (self.answers == 1) wait(self, "2");  // the pipelined next poll
  };
  wait(p, "1");
  deliver("2", "b");
  EXPECT_EQ(p.answers, 1);
  EXPECT_TRUE(p.waiting());
  deliver("3", "c");
  EXPECT_EQ(p.answers, 2);
  EXPECT_EQ(p.bodies, (std::vector<std::string>{"b", "c"}));
}

TEST_F(LongPollTest, AnOwnerMayDestroyAnotherWaiterFromItsCallback) {
  deliver("1", "a");
  auto victim = std::make_unique<Poll>();
  Poll killer;
  killer.then = [&victim](Poll&) { victim.reset(); };
  wait(killer, "1");
  wait(*victim, "1");
  deliver("2", "b");
  EXPECT_EQ(killer.answers, 1);
  EXPECT_EQ(victim, nullptr);
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(LongPollTest, ACursorAheadOfTheHubIsWaitedForNotTakenAsUnknown) {
  deliver("1", "a");
  backend_.coming.insert("2");
  Poll p;
  wait(p, "2");  // another worker answered "2"; ours has not got it yet
  EXPECT_EQ(p.answers, 0);
  deliver("2", "b");  // the cursor itself arrives: nothing after it yet
  EXPECT_EQ(p.answers, 0);
  EXPECT_TRUE(p.waiting());
  deliver("3", "c");
  EXPECT_EQ(p.bodies, std::vector<std::string>{"c"});
}

TEST_F(LongPollTest, DrainingAnswersEveryWaiterNowAndLaterOnesAtOnce) {
  Poll a, b;
  wait(a, "");
  wait(b, "", 5s, "other");
  pubsub_.wake_all_waiters();
  EXPECT_EQ(a.answers, 1);
  EXPECT_EQ(b.answers, 1);
  Poll late;
  wait(late, "");
  EXPECT_EQ(late.answers, 1);
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(LongPollTest, TheChannelsSubscriptionGoesWithItsLastWaiter) {
  Poll a, b;
  wait(a, "");
  wait(b, "");
  EXPECT_EQ(hub_.observers(), 1u);  // one per channel, not per poll
  a.cancel();
  EXPECT_EQ(hub_.observers(), 1u);
  b.cancel();
  EXPECT_EQ(hub_.observers(), 0u);
  Poll c;
  wait(c, "");
  deliver("1", "a");  // answered: nobody waits, the subscription goes
  EXPECT_EQ(c.answers, 1);
  EXPECT_EQ(hub_.observers(), 0u);
  {
    Poll d;
    wait(d, "");
  }  // destroyed while waiting
  EXPECT_EQ(hub_.observers(), 0u);
}

TEST_F(LongPollTest, GivenALoopItsOwnTimerAnswersTimeouts) {
  boost::asio::io_context loop;
  pubsub_.set_long_poll_executor(loop.get_executor());
  Poll slow, quick;
  wait(slow, "", 300ms);
  wait(quick, "", 50ms);  // earlier than the armed deadline: re-armed
  const auto started = std::chrono::steady_clock::now();
  while (quick.answers == 0 && loop.run_one_for(2s) > 0) {
  }
  EXPECT_EQ(quick.answers, 1);
  EXPECT_EQ(slow.answers, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 40ms);
  while (slow.answers == 0 && loop.run_one_for(2s) > 0) {
  }
  EXPECT_EQ(slow.answers, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  EXPECT_EQ(pubsub_.waiters(), 0u);
  EXPECT_EQ(hub_.observers(), 0u);
}

// The order a worker destroys things in (and a test fixture whose harness
// goes first): the loop, with a poll waiting and the timer armed on it,
// then the PubSub. Nobody stops the timer by hand: it went with its loop.
// Under ASan this was a heap-use-after-free while the timer was the
// PubSub's.
TEST_F(LongPollTest, TheLoopMayGoBeforeThePubSub) {
  auto ps = std::make_unique<PubSub>(hub_, backend_);
  auto loop = std::make_unique<boost::asio::io_context>();
  ps->set_long_poll_executor(loop->get_executor());
  Poll p;
  ps->wait_after("room", "", 30s, p);
  ASSERT_TRUE(p.waiting());
  loop.reset();
  deliver("1", "a");  // a poll still waiting is answered as ever
  EXPECT_EQ(p.bodies, std::vector<std::string>{"a"});
  ps.reset();
  EXPECT_EQ(hub_.observers(), 0u);
}

// The other order: the PubSub goes with its timer's wait pending; the wait
// ends on the loop and calls into nothing.
TEST_F(LongPollTest, TheLoopMayOutliveThePubSub) {
  boost::asio::io_context loop;
  auto ps = std::make_unique<PubSub>(hub_, backend_);
  ps->set_long_poll_executor(loop.get_executor());
  Poll p;
  ps->wait_after("room", "", 20ms, p);
  ps.reset();
  EXPECT_FALSE(p.waiting());
  loop.run_for(200ms);
  EXPECT_EQ(p.answers, 0);
}

// A PubSub handed to another loop (the handler harness's set_pubsub) times
// the polls already waiting there.
TEST_F(LongPollTest, AnotherLoopTakesOverTheTimeouts) {
  boost::asio::io_context first, second;
  pubsub_.set_long_poll_executor(first.get_executor());
  Poll p;
  wait(p, "", 50ms);
  pubsub_.set_long_poll_executor(second.get_executor());
  first.run_for(200ms);  // its wait was let go: answers nothing
  EXPECT_EQ(p.answers, 0);
  while (p.answers == 0 && second.run_one_for(2s) > 0) {
  }
  EXPECT_EQ(p.answers, 1);
  EXPECT_EQ(pubsub_.waiters(), 0u);
}

TEST_F(LongPollTest, PollsOutlivingThePubSubAreSafe) {
  Poll p;
  {
    pubsub::Hub hub;
    StubBackend backend;
    PubSub ps(hub, backend);
    ps.wait_after("room", "", 30s, p);
    EXPECT_TRUE(p.waiting());
  }
  EXPECT_FALSE(p.waiting());
  p.cancel();
}

}  // namespace
}  // namespace gale
