// Hub's subscribers: order, lifetime and moves of a Subscription,
// unsubscribing itself or another from inside a callback, re-entrant
// delivery, and dropping unused channels. Histories are in hub_test.cpp.
#include "server/pubsub/hub.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/server/pubsub/hub_test_support.hpp"

namespace gale::pubsub {
namespace {

using namespace hub_test;
// --- subscribers -----------------------------------------------------------

TEST(HubSubscriptionTest, SubscribersAreCalledInSubscriptionOrder) {
  Hub hub;
  Log log;
  Subscription a = hub.subscribe("c", log.record("a"));
  Subscription b = hub.subscribe("c", log.record("b"));
  Subscription c = hub.subscribe("c", log.record("c"));
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"a:1", "b:1", "c:1"}));
}

TEST(HubSubscriptionTest, ASubscriberGetsOnlyItsChannelAndNoHistory) {
  Hub hub;
  Log log;
  hub.deliver(msg("c", "old"));
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.deliver(msg("other", "x"));
  hub.deliver(msg("c", "new"));
  EXPECT_EQ(log.lines, (Ids{"s:new"}));
}

TEST(HubSubscriptionTest,
     EverySubscriberSeesMessagesOfAllChannelsInDeliveryOrder) {
  Hub hub;
  Log log;
  Subscription a1 = hub.subscribe("a", log.record("x"));
  Subscription b1 = hub.subscribe("b", log.record("x"));
  deliver_all(hub, "a", {"1"});
  deliver_all(hub, "b", {"2"});
  deliver_all(hub, "a", {"3"});
  EXPECT_EQ(log.lines, (Ids{"x:1", "x:2", "x:3"}));
}

TEST(HubSubscriptionTest, EverySubscriberGetsTheSameSharedMessageAsTheHistory) {
  Hub hub;
  std::vector<MessagePtr> got;
  auto keep = [&](const MessagePtr& m) { got.push_back(m); };
  Subscription a = hub.subscribe("c", keep);
  Subscription b = hub.subscribe("c", keep);
  hub.deliver(msg("c", "1", std::string(1000, 'x')));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].get(), got[1].get());
  EXPECT_EQ(got[0].get(), hub.after("c", "")[0].get());
}

TEST(HubSubscriptionTest, DestroyingASubscriptionUnsubscribes) {
  Hub hub;
  Log log;
  {
    Subscription s = hub.subscribe("c", log.record("s"));
    EXPECT_EQ(hub.observers(), 1u);
  }
  hub.deliver(msg("c", "1"));
  EXPECT_TRUE(log.lines.empty());
  EXPECT_EQ(hub.observers(), 0u);
}

TEST(HubSubscriptionTest,
     AMovedSubscriptionStaysSubscribedAndTheSourceIsInert) {
  Hub hub;
  Log log;
  Subscription a = hub.subscribe("c", log.record("a"));
  Subscription moved(std::move(a));
  EXPECT_FALSE(a.active());  // NOLINT(bugprone-use-after-move): on purpose
  EXPECT_TRUE(moved.active());
  a.reset();  // a no-op on a moved-from subscription
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"a:1"}));
  EXPECT_EQ(hub.observers(), 1u);
}

TEST(HubSubscriptionTest, MoveAssigningOverASubscriptionEndsTheOldOne) {
  Hub hub;
  Log log;
  Subscription target = hub.subscribe("c", log.record("old"));
  target = hub.subscribe("c", log.record("new"));
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"new:1"}));
  EXPECT_EQ(hub.observers(), 1u);
}

TEST(HubSubscriptionTest, ResetTwiceIsHarmless) {
  Hub hub;
  Subscription s = hub.subscribe("c", [](const MessagePtr&) {});
  s.reset();
  s.reset();
  EXPECT_FALSE(s.active());
  EXPECT_EQ(hub.observers(), 0u);
}

TEST(HubSubscriptionTest, ASubscriptionThatOutlivesItsHubDoesNothing) {
  Subscription s;
  {
    Hub hub;
    s = hub.subscribe("c", [](const MessagePtr&) {});
    EXPECT_TRUE(s.active());
  }
  EXPECT_FALSE(s.active());
  s.reset();
}

// --- unsubscribing during a delivery ----------------------------------------

TEST(HubSubscriptionTest, ASubscriberCanUnsubscribeItselfDuringDelivery) {
  Hub hub;
  Log log;
  Subscription self;
  self = hub.subscribe("c", [&](const MessagePtr& m) {
    log.lines.push_back("self:" + m->id);
    self.reset();
  });
  Subscription after = hub.subscribe("c", log.record("after"));
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_EQ(log.lines, (Ids{"self:1", "after:1", "after:2"}));
  EXPECT_EQ(hub.observers(), 1u);
}

TEST(HubSubscriptionTest, ASubscriberUnsubscribedByAnEarlierOneIsNotCalled) {
  Hub hub;
  Log log;
  Subscription later;
  Subscription first = hub.subscribe("c", [&](const MessagePtr& m) {
    log.lines.push_back("first:" + m->id);
    later.reset();
  });
  later = hub.subscribe("c", log.record("later"));
  Subscription last = hub.subscribe("c", log.record("last"));
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"first:1", "last:1"}));
}

TEST(HubSubscriptionTest, UnsubscribingAnEarlierSubscriberDoesNotSkipAnyone) {
  Hub hub;
  Log log;
  Subscription first = hub.subscribe("c", log.record("first"));
  Subscription second = hub.subscribe("c", [&](const MessagePtr& m) {
    log.lines.push_back("second:" + m->id);
    first.reset();
  });
  Subscription third = hub.subscribe("c", log.record("third"));
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_EQ(log.lines,
            (Ids{"first:1", "second:1", "third:1", "second:2", "third:2"}));
}

// A long-poll waiter that owns its own subscription through the callback:
// the callback's captured state is freed once the dispatch ends, and freeing
// it ends another subscription too. ASan checks nothing is used after free.
TEST(HubSubscriptionTest, ACallbackThatOwnsItsOwnSubscriptionCanEndIt) {
  Hub hub;
  struct Waiter {
    Subscription own;
    Subscription other;
    std::vector<std::string> got;
  };
  auto waiter = std::make_shared<Waiter>();
  std::weak_ptr<Waiter> watch = waiter;
  waiter->other = hub.subscribe("elsewhere", [](const MessagePtr&) {});
  waiter->own = hub.subscribe("c", [w = waiter](const MessagePtr& m) {
    w->got.push_back(m->id);
    w->own.reset();
  });
  waiter.reset();  // only the callback holds it now
  Log log;
  Subscription bystander = hub.subscribe("c", log.record("b"));
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(log.lines, (Ids{"b:1", "b:2"}));
  EXPECT_EQ(hub.observers(), 1u);
  EXPECT_EQ(hub.channels(), 1u);  // "elsewhere" went with its last subscriber
}

TEST(HubSubscriptionTest,
     ASubscriptionMadeDuringDeliveryStartsWithTheNextMessage) {
  Hub hub;
  Log log;
  Subscription late;
  Subscription first = hub.subscribe("c", [&](const MessagePtr& m) {
    if (!late.active()) late = hub.subscribe("c", log.record("late"));
  });
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_EQ(log.lines, (Ids{"late:2"}));
}

TEST(HubSubscriptionTest, AMessageDeliveredFromACallbackWaitsForTheCurrentOne) {
  Hub hub;
  Log log;
  Subscription a = hub.subscribe("c", [&](const MessagePtr& m) {
    log.lines.push_back("a:" + m->id);
    if (m->id == "1") hub.deliver(msg("c", "2"));
  });
  Subscription b = hub.subscribe("c", log.record("b"));
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"a:1", "b:1", "a:2", "b:2"}));
}

TEST(HubSubscriptionTest, AThrowingCallbackLeavesTheHubUsable) {
  Hub hub;
  Log log;
  Subscription thrower = hub.subscribe("c", [&](const MessagePtr& m) {
    if (m->id == "1") throw std::runtime_error("bug");
  });
  Subscription after = hub.subscribe("c", log.record("after"));
  EXPECT_THROW(hub.deliver(msg("c", "1")), std::runtime_error);
  thrower.reset();
  hub.deliver(msg("c", "2"));
  EXPECT_EQ(log.lines, (Ids{"after:2"}));
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"1", "2"}));
}

// --- memory ------------------------------------------------------------------

TEST(HubSubscriptionTest, ObserversCountsLiveSubscriptions) {
  Hub hub;
  Subscription a = hub.subscribe("a", [](const MessagePtr&) {});
  Subscription b = hub.subscribe("b", [](const MessagePtr&) {});
  Subscription c;
  c = hub.subscribe("b", [&](const MessagePtr&) {
    c.reset();
    EXPECT_EQ(hub.observers(), 2u);  // counted at once, unlinked later
  });
  EXPECT_EQ(hub.observers(), 3u);
  hub.deliver(msg("b", "1"));
  EXPECT_EQ(hub.observers(), 2u);
}

TEST(HubSubscriptionTest, AChannelWithNoHistoryAndNoSubscribersIsDropped) {
  Hub hub;
  Subscription s = hub.subscribe("c", [](const MessagePtr&) {});
  EXPECT_EQ(hub.channels(), 1u);
  s.reset();
  EXPECT_EQ(hub.channels(), 0u);
  hub.deliver(msg("kept", "1"));
  hub.resync("kept", {});
  EXPECT_EQ(hub.channels(), 0u);
}

TEST(HubSubscriptionTest, AChannelWithHistoryIsKeptWithoutSubscribers) {
  Hub hub;
  Subscription s = hub.subscribe("c", [](const MessagePtr&) {});
  hub.deliver(msg("c", "1"));
  s.reset();
  EXPECT_EQ(hub.channels(), 1u);
}

}  // namespace
}  // namespace gale::pubsub
