// The Backend contract, through FakeRelay (fake_backend.hpp): a master and
// several workers' hubs joined only by relay frames. One order for every
// worker, the publisher included; completions that carry the id and never
// run inside publish(); failures that publish nothing; and the resyncs that
// bring a new or lagging worker up to date.
#include "server/pubsub/backend.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/server/pubsub/fake_backend.hpp"

namespace gale::pubsub {
namespace {

using fakes::FakeRelay;
using fakes::FakeWorker;
using Lines = std::vector<std::string>;

std::vector<std::string> bodies(const std::vector<MessagePtr>& messages) {
  std::vector<std::string> out;
  for (const MessagePtr& m : messages)
    out.push_back(m->body);
  return out;
}

// Keeps the result of one publish.
struct Outcome {
  std::optional<PublishResult> result;
  PublishCompletion done() {
    return [this](PublishResult r) { result = std::move(r); };
  }
};

TEST(BackendTest, APublishReachesEveryWorkerThePublisherIncluded) {
  FakeRelay relay;
  Hub hub_a, hub_b;
  FakeWorker& a = relay.add_worker(hub_a);
  relay.add_worker(hub_b);
  Outcome o;
  a.publish("room", "hello", o.done());
  relay.run();
  EXPECT_EQ(bodies(hub_a.after("room", "")), Lines{"hello"});
  EXPECT_EQ(bodies(hub_b.after("room", "")), Lines{"hello"});
}

TEST(BackendTest, EveryWorkerSeesOneOrderWhoeverPublished) {
  FakeRelay relay;
  Hub hub_a, hub_b;
  FakeWorker& a = relay.add_worker(hub_a);
  FakeWorker& b = relay.add_worker(hub_b);
  Lines seen_a, seen_b;
  Subscription sa = hub_a.subscribe(
      "room", [&](const MessagePtr& m) { seen_a.push_back(m->body); });
  Subscription sb = hub_b.subscribe(
      "room", [&](const MessagePtr& m) { seen_b.push_back(m->body); });
  Outcome o1, o2, o3;
  a.publish("room", "a1", o1.done());
  b.publish("room", "b1", o2.done());
  a.publish("room", std::string(300, 'L'), o3.done());  // fragmented
  relay.run();
  ASSERT_EQ(seen_a.size(), 3u);
  EXPECT_EQ(seen_a, seen_b);
  EXPECT_EQ(hub_a.last_id("room"), hub_b.last_id("room"));
}

TEST(BackendTest, TheCompletionCarriesTheIdTheHubsKnowTheMessageBy) {
  FakeRelay relay;
  Hub hub;
  FakeWorker& w = relay.add_worker(hub);
  Outcome o;
  w.publish("room", "hi", o.done());
  relay.run();
  ASSERT_TRUE(o.result);
  EXPECT_EQ(o.result->status, PublishStatus::published);
  EXPECT_EQ(o.result->id, hub.last_id("room"));
  EXPECT_TRUE(parse_local_id(o.result->id).has_value());
}

TEST(BackendTest, TheCompletionNeverRunsInsidePublish) {
  FakeRelay relay;
  Hub hub;
  FakeWorker& w = relay.add_worker(hub);
  Outcome ok, invalid;
  w.publish("room", "hi", ok.done());
  w.publish("", "no channel", invalid.done());
  EXPECT_FALSE(ok.result);
  EXPECT_FALSE(invalid.result);
  relay.run();
  EXPECT_TRUE(ok.result);
  EXPECT_TRUE(invalid.result);
}

TEST(BackendTest, APublishOverTheBoundsIsInvalidAndPublishesNothing) {
  FakeRelay relay;
  Hub hub;
  FakeWorker& w = relay.add_worker(hub);
  Outcome long_channel, long_body;
  w.publish(std::string(kMaxChannelBytes + 1, 'c'), "x", long_channel.done());
  w.publish("room", std::string(kMaxBodyBytes + 1, 'b'), long_body.done());
  relay.run();
  EXPECT_EQ(long_channel.result->status, PublishStatus::invalid);
  EXPECT_EQ(long_body.result->status, PublishStatus::invalid);
  EXPECT_EQ(hub.channels(), 0u);
}

TEST(BackendTest, WhenTheBackendIsDownAPublishFailsAndPublishesNothing) {
  FakeRelay relay;
  Hub hub;
  FakeWorker& w = relay.add_worker(hub);
  Outcome sent_before, sent_after;
  w.publish("room", "lost in flight", sent_before.done());
  relay.go_down();
  w.publish("room", "never sent", sent_after.done());
  relay.run();
  EXPECT_EQ(sent_before.result->status, PublishStatus::unavailable);
  EXPECT_EQ(sent_after.result->status, PublishStatus::unavailable);
  EXPECT_TRUE(hub.after("room", "").empty());
  EXPECT_EQ(w.pending(), 0u);
}

TEST(BackendTest, ANewWorkerStartsWithTheCurrentHistory) {
  FakeRelay relay(3);
  Hub old_hub(3);
  FakeWorker& old = relay.add_worker(old_hub);
  Outcome o[4];
  for (int i = 0; i < 4; ++i)
    old.publish("room", "m" + std::to_string(i), o[i].done());
  relay.run();
  Hub new_hub(3);
  relay.add_worker(new_hub);
  EXPECT_EQ(bodies(new_hub.after("room", "")), (Lines{"m1", "m2", "m3"}));
  EXPECT_EQ(new_hub.last_id("room"), old_hub.last_id("room"));
}

TEST(BackendTest, AWorkerThatFellBehindGetsWhatItMissedOnceAfterAResync) {
  FakeRelay relay;
  Hub hub_a, hub_b;
  FakeWorker& a = relay.add_worker(hub_a);
  FakeWorker& b = relay.add_worker(hub_b);
  Lines seen_b;
  Subscription s = hub_b.subscribe(
      "room", [&](const MessagePtr& m) { seen_b.push_back(m->body); });
  Outcome o1, o2, o3;
  a.publish("room", "before", o1.done());
  relay.run();
  relay.hold(b);
  a.publish("room", "missed", o2.done());
  relay.run();
  EXPECT_EQ(seen_b, Lines{"before"});
  relay.resync(b);
  a.publish("room", "after", o3.done());
  relay.run();
  EXPECT_EQ(seen_b, (Lines{"before", "missed", "after"}));
  EXPECT_EQ(bodies(hub_b.after("room", "")), bodies(hub_a.after("room", "")));
}

TEST(BackendTest, AResyncRepeatingWhatAWorkerHasDeliversNothingTwice) {
  FakeRelay relay;
  Hub hub;
  FakeWorker& w = relay.add_worker(hub);
  Lines seen;
  Subscription s = hub.subscribe(
      "room", [&](const MessagePtr& m) { seen.push_back(m->body); });
  Outcome o;
  w.publish("room", "once", o.done());
  relay.run();
  relay.resync(w);
  relay.resync(w);
  EXPECT_EQ(seen, Lines{"once"});
}

}  // namespace
}  // namespace gale::pubsub
