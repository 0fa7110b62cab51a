// Hub's histories: the bound and eviction, cursors (unknown, evicted,
// newest), duplicate ids, what a resync keeps and hands to subscribers, and
// snapshots. Subscriptions are in hub_subscription_test.cpp.
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

// --- history and cursors ---------------------------------------------------

TEST(HubTest, KeepsOnlyTheNewestMessagesUpToTheHistoryBound) {
  Hub hub(3);
  deliver_all(hub, "c", {"1", "2", "3", "4", "5"});
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"3", "4", "5"}));
}

TEST(HubTest, AHistoryBoundOfZeroKeepsTheNewestMessage) {
  Hub hub(0);
  EXPECT_EQ(hub.history_limit(), 1u);
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"2"}));
}

TEST(HubTest, TheDefaultHistoryBoundIsTwoHundred) {
  Hub hub;
  for (int i = 0; i < 250; ++i)
    hub.deliver(msg("c", std::to_string(i)));
  std::vector<MessagePtr> kept = hub.after("c", "");
  ASSERT_EQ(kept.size(), 200u);
  EXPECT_EQ(kept.front()->id, "50");
}

TEST(HubTest, ACursorGivesEveryKeptMessageAfterItOldestFirst) {
  Hub hub;
  deliver_all(hub, "c", {"a", "b", "c", "d"});
  EXPECT_EQ(ids(hub.after("c", "b")), (Ids{"c", "d"}));
}

TEST(HubTest, ACursorStillWorksAfterOlderMessagesWereEvicted) {
  Hub hub(3);
  deliver_all(hub, "c", {"1", "2", "3", "4", "5"});
  EXPECT_EQ(ids(hub.after("c", "4")), (Ids{"5"}));
}

TEST(HubTest, AnEvictedCursorGivesTheWholeKeptHistory) {
  Hub hub(3);
  deliver_all(hub, "c", {"1", "2", "3", "4", "5"});
  EXPECT_EQ(ids(hub.after("c", "1")), (Ids{"3", "4", "5"}));
}

TEST(HubTest, AnUnknownCursorGivesTheWholeKeptHistory) {
  Hub hub;
  deliver_all(hub, "c", {"1", "2"});
  deliver_all(hub, "other", {"x"});
  EXPECT_EQ(ids(hub.after("c", "nope")), (Ids{"1", "2"}));
  EXPECT_EQ(ids(hub.after("c", "x")), (Ids{"1", "2"}));  // another channel's
}

TEST(HubTest, AnEmptyCursorGivesTheWholeKeptHistory) {
  Hub hub;
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"1", "2"}));
}

TEST(HubTest, TheNewestIdAsCursorGivesNothing) {
  Hub hub;
  deliver_all(hub, "c", {"1", "2"});
  EXPECT_TRUE(hub.after("c", "2").empty());
}

TEST(HubTest, AChannelNeverUsedHasNoHistory) {
  Hub hub;
  EXPECT_TRUE(hub.after("nobody", "").empty());
  EXPECT_EQ(hub.last_id("nobody"), "");
  EXPECT_EQ(hub.channels(), 0u);
}

TEST(HubTest, LastIdIsTheNewestKeptId) {
  Hub hub(2);
  deliver_all(hub, "c", {"1", "2", "3"});
  EXPECT_EQ(hub.last_id("c"), "3");
}

TEST(HubTest, ContainsKnowsOnlyKeptIdsOfThatChannel) {
  Hub hub(2);
  deliver_all(hub, "c", {"1", "2", "3"});
  EXPECT_FALSE(hub.contains("c", "1"));  // evicted
  EXPECT_TRUE(hub.contains("c", "2"));
  EXPECT_TRUE(hub.contains("c", "3"));
  EXPECT_FALSE(hub.contains("other", "3"));
  EXPECT_FALSE(hub.contains("c", ""));
}

TEST(HubTest, ChannelsKeepSeparateHistories) {
  Hub hub(2);
  deliver_all(hub, "a", {"1", "2"});
  deliver_all(hub, "b", {"3", "4", "5"});
  EXPECT_EQ(ids(hub.after("a", "")), (Ids{"1", "2"}));
  EXPECT_EQ(ids(hub.after("b", "")), (Ids{"4", "5"}));
}

// --- duplicates ------------------------------------------------------------

TEST(HubTest, AMessageWhoseIdIsKeptIsIgnoredAndNotDeliveredTwice) {
  Hub hub;
  Log log;
  Subscription s = hub.subscribe("c", log.record("s"));
  EXPECT_TRUE(hub.deliver(msg("c", "1", "first")));
  EXPECT_FALSE(hub.deliver(msg("c", "1", "second")));
  EXPECT_FALSE(hub.deliver(std::make_shared<const Message>(msg("c", "1"))));
  EXPECT_EQ(log.lines, (Ids{"s:1"}));
  ASSERT_EQ(hub.after("c", "").size(), 1u);
  EXPECT_EQ(hub.after("c", "")[0]->body, "first");
}

TEST(HubTest, TheSameIdOnAnotherChannelIsADifferentMessage) {
  Hub hub;
  EXPECT_TRUE(hub.deliver(msg("a", "1")));
  EXPECT_TRUE(hub.deliver(msg("b", "1")));
}

TEST(HubTest, AMessageWithAnEmptyIdOrNoMessageIsIgnored) {
  Hub hub;
  EXPECT_FALSE(hub.deliver(msg("c", "")));
  EXPECT_FALSE(hub.deliver(MessagePtr{}));
  EXPECT_TRUE(hub.after("c", "").empty());
}

// --- resync ------------------------------------------------------------------

std::vector<Message> history(const std::string& channel, const Ids& list) {
  std::vector<Message> out;
  for (const std::string& id : list)
    out.push_back(msg(channel, id));
  return out;
}

TEST(HubTest, ResyncReplacesTheHistoryAndDeliversOnlyWhatIsNew) {
  Hub hub;
  Log log;
  deliver_all(hub, "c", {"a", "b"});
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.resync("c", history("c", {"a", "b", "c", "d"}));
  EXPECT_EQ(log.lines, (Ids{"s:c", "s:d"}));
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"a", "b", "c", "d"}));
}

TEST(HubTest, ResyncAfterFallingFarBehindDeliversTheWholeNewHistory) {
  Hub hub(3);
  Log log;
  deliver_all(hub, "c", {"x1", "x2", "x3"});
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.resync("c", history("c", {"y1", "y2", "y3", "y4", "y5"}));
  EXPECT_EQ(log.lines, (Ids{"s:y3", "s:y4", "s:y5"}));
  EXPECT_EQ(ids(hub.after("c", "x3")), (Ids{"y3", "y4", "y5"}));
}

TEST(HubTest, ResyncDeliversAMessageMissedInTheMiddleInTheNewOrder) {
  Hub hub;
  Log log;
  deliver_all(hub, "c", {"a", "c"});
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.resync("c", history("c", {"a", "b", "c", "d"}));
  EXPECT_EQ(log.lines, (Ids{"s:b", "s:d"}));
  EXPECT_EQ(ids(hub.after("c", "a")), (Ids{"b", "c", "d"}));
}

TEST(HubTest, ResyncDropsMessagesTheBackendDoesNotHold) {
  Hub hub;
  Log log;
  deliver_all(hub, "c", {"a", "b", "stray"});
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.resync("c", history("c", {"a", "b", "c"}));
  EXPECT_EQ(log.lines, (Ids{"s:c"}));
  EXPECT_EQ(ids(hub.after("c", "stray")), (Ids{"a", "b", "c"}));
}

TEST(HubTest, ResyncKeepsTheFirstCopyOfAnIdAndTheNewestBound) {
  Hub hub(3);
  std::vector<Message> h = history("c", {"1", "2", "1", "", "3", "4"});
  h[0].body = "first copy";
  hub.resync("c", std::move(h));
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"2", "3", "4"}));
  hub.resync("c", history("c", {"1", "2", "1"}));
  EXPECT_EQ(ids(hub.after("c", "")), (Ids{"1", "2"}));
}

TEST(HubTest, ResyncGivesEveryMessageTheResyncedChannel) {
  Hub hub;
  std::vector<Message> h = history("wrong", {"1"});
  const std::string& name = h[0].channel;  // views what resync overwrites
  hub.resync(std::string_view(name), std::move(h));
  EXPECT_EQ(ids(hub.after("wrong", "")), (Ids{"1"}));
  EXPECT_EQ(hub.after("wrong", "")[0]->channel, "wrong");
  hub.resync("c", history("wrong", {"2"}));
  EXPECT_EQ(hub.after("c", "")[0]->channel, "c");
}

TEST(HubTest, ResyncKeepsTheSameSharedMessageForAKeptId) {
  Hub hub;
  hub.deliver(msg("c", "1", "original"));
  MessagePtr before = hub.after("c", "")[0];
  hub.resync("c", {msg("c", "1", "copy"), msg("c", "2")});
  EXPECT_EQ(hub.after("c", "")[0].get(), before.get());
}

TEST(HubTest, AMessageArrivingLateAfterAResyncThatHeldItIsIgnored) {
  Hub hub;
  Log log;
  Subscription s = hub.subscribe("c", log.record("s"));
  hub.resync("c", history("c", {"1", "2"}));
  EXPECT_FALSE(hub.deliver(msg("c", "2")));
  EXPECT_TRUE(hub.deliver(msg("c", "3")));
  EXPECT_EQ(log.lines, (Ids{"s:1", "s:2", "s:3"}));
}

TEST(HubTest, AResyncFromACallbackWaitsForTheCurrentMessage) {
  Hub hub;
  Log log;
  Subscription a = hub.subscribe("c", [&](const MessagePtr& m) {
    log.lines.push_back("a:" + m->id);
    if (m->id == "1") hub.resync("c", history("c", {"1", "2"}));
  });
  Subscription b = hub.subscribe("c", log.record("b"));
  hub.deliver(msg("c", "1"));
  EXPECT_EQ(log.lines, (Ids{"a:1", "b:1", "a:2", "b:2"}));
}

// --- snapshot ----------------------------------------------------------------

TEST(HubTest, SnapshotListsEveryChannelWithHistorySortedByName) {
  Hub hub(2);
  deliver_all(hub, "zeta", {"1"});
  deliver_all(hub, "alpha", {"2", "3", "4"});
  Subscription s = hub.subscribe("no-history", [](const MessagePtr&) {});
  std::vector<ChannelHistory> snap = hub.snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].channel, "alpha");
  EXPECT_EQ(ids(snap[0].messages), (Ids{"3", "4"}));
  EXPECT_EQ(snap[1].channel, "zeta");
  EXPECT_EQ(ids(snap[1].messages), (Ids{"1"}));
}

TEST(HubTest, ASnapshotResyncedIntoAnotherHubReproducesIt) {
  Hub master(3), worker(3);
  deliver_all(master, "a", {"1", "2", "3", "4"});
  deliver_all(master, "b", {"5"});
  for (const ChannelHistory& ch : master.snapshot()) {
    std::vector<Message> h;
    for (const MessagePtr& m : ch.messages)
      h.push_back(*m);
    worker.resync(ch.channel, std::move(h));
  }
  EXPECT_EQ(ids(worker.after("a", "")), (Ids{"2", "3", "4"}));
  EXPECT_EQ(ids(worker.after("b", "")), (Ids{"5"}));
}

}  // namespace
}  // namespace gale::pubsub
