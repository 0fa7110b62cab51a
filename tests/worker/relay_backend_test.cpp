// worker/relay_backend without a socket: frames out are captured, frames in
// are built with the relay codec, and the loop is a list of deferred tasks.
#include "worker/relay_backend.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "server/pubsub/relay_codec.hpp"

namespace gale {
namespace {

using pubsub::PublishResult;
using pubsub::PublishStatus;

struct Rig {
  pubsub::Hub hub;
  std::vector<std::string> sent;
  std::vector<std::function<void()>> loop;
  RelayBackend backend{
      hub, [this](std::string f) { sent.push_back(f); },
      [this](std::function<void()> t) { loop.push_back(std::move(t)); }};
  void run() {
    while (!loop.empty()) {
      auto tasks = std::move(loop);
      loop.clear();
      for (auto& t : tasks)
        t();
    }
  }
  std::vector<pubsub::RelayRecord> records() {
    std::vector<pubsub::RelayRecord> out;
    for (const auto& f : sent) {
      pubsub::RelayDecoder d(f);
      for (pubsub::RelayRecord r; d.next(r);)
        out.push_back(r);
    }
    return out;
  }
};

TEST(RelayBackend, PublishesOfOneTurnShareAFrameAndCompleteOnTheirAck) {
  Rig rig;
  std::vector<PublishResult> got;
  rig.backend.publish("c", "a", [&](PublishResult r) { got.push_back(r); });
  rig.backend.publish("c", "b", [&](PublishResult r) { got.push_back(r); });
  EXPECT_TRUE(rig.sent.empty());  // not inside publish()
  rig.run();
  ASSERT_EQ(rig.sent.size(), 1u);
  auto recs = rig.records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].kind, pubsub::RecordKind::publish);
  EXPECT_NE(recs[0].ref, recs[1].ref);
  std::string in;
  pubsub::encode_message(in, "c", "id-1", "a");
  pubsub::encode_ack(in, recs[0].ref, "id-1");
  pubsub::encode_ack(in, recs[1].ref, "");  // refused
  rig.backend.on_frame(in);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].status, PublishStatus::published);
  EXPECT_EQ(got[0].id, "id-1");
  EXPECT_EQ(got[1].status, PublishStatus::unavailable);
  EXPECT_EQ(rig.hub.last_id("c"), "id-1");
  EXPECT_EQ(rig.backend.pending(), 0u);
}

TEST(RelayBackend, ResyncReplacesTheHistory) {
  Rig rig;
  rig.hub.deliver(pubsub::Message{"c", "old", "x"});
  std::string in;
  std::vector<pubsub::ResyncEntry> entries{{"1", "one"}, {"2", "two"}};
  pubsub::encode_resync(in, "c", std::span<const pubsub::ResyncEntry>(entries));
  rig.backend.on_frame(in);
  auto kept = rig.hub.after("c", "");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1]->body, "two");
}

TEST(RelayBackend, WithoutAMasterPublishesFailUnavailable) {
  Rig rig;
  std::vector<PublishStatus> got;
  rig.backend.publish("c", "a",
                      [&](PublishResult r) { got.push_back(r.status); });
  rig.run();
  rig.backend.on_channel_gone();
  rig.backend.publish("c", "b",
                      [&](PublishResult r) { got.push_back(r.status); });
  EXPECT_TRUE(got.empty());  // from a later turn only
  rig.run();
  EXPECT_EQ(got, std::vector<PublishStatus>(2, PublishStatus::unavailable));
}

TEST(RelayBackend, InvalidInputIsRefusedUpFront) {
  Rig rig;
  PublishStatus got = PublishStatus::published;
  rig.backend.publish("", "a", [&](PublishResult r) { got = r.status; });
  rig.run();
  EXPECT_EQ(got, PublishStatus::invalid);
  EXPECT_TRUE(rig.sent.empty());
}

}  // namespace
}  // namespace gale
