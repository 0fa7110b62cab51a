// worker/relay_backend without a socket: frames out are captured, frames in
// are built with the relay codec, and the loop is a list of deferred tasks.
#include "worker/relay_backend.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "server/pubsub/id.hpp"
#include "server/pubsub/relay_codec.hpp"

namespace gale {
namespace {

using pubsub::PublishResult;
using pubsub::PublishStatus;

using namespace std::chrono_literals;

struct Rig {
  explicit Rig(std::chrono::milliseconds ack_timeout = 5s)
      : backend(
            hub, [this](std::string f) { sent.push_back(f); },
            [this](std::function<void()> t) { loop.push_back(std::move(t)); },
            [this](std::chrono::milliseconds d, std::function<void()> t) {
              delays.push_back(d);
              timers.push_back(std::move(t));
            },
            ack_timeout) {}

  pubsub::Hub hub;
  std::vector<std::string> sent;
  std::vector<std::function<void()>> loop;
  // Armed timers, fired only by fire_timers(): the test's clock is real,
  // but when a timer runs is up to the test.
  std::vector<std::function<void()>> timers;
  std::vector<std::chrono::milliseconds> delays;
  RelayBackend backend;

  void fire_timers() {
    auto due = std::move(timers);
    timers.clear();
    for (auto& t : due)
      t();
  }
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

// A publish the master never answers must not hang its handler: after the
// ack timeout it fails `unavailable` (POST /chat/new answers 503), once.
TEST(RelayBackend, APublishNeverAckedFailsUnavailableAfterTheTimeout) {
  Rig rig(30ms);
  std::vector<PublishResult> got;
  rig.backend.publish("c", "a", [&](PublishResult r) { got.push_back(r); });
  rig.run();
  ASSERT_EQ(rig.timers.size(), 1u);
  EXPECT_LE(rig.delays[0], 30ms);
  std::this_thread::sleep_for(40ms);
  rig.fire_timers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, PublishStatus::unavailable);
  EXPECT_EQ(rig.backend.pending(), 0u);
  EXPECT_EQ(rig.backend.timeouts(), 1u);
  EXPECT_TRUE(rig.timers.empty());  // nothing left to time
  // The ack that comes too late is ignored: the completion ran once.
  std::string in;
  pubsub::encode_ack(in, rig.records()[0].ref, "late");
  rig.backend.on_frame(in);
  EXPECT_EQ(got.size(), 1u);
}

TEST(RelayBackend, AnAckInTimeWinsOverTheTimeout) {
  Rig rig(30ms);
  std::vector<PublishResult> got;
  rig.backend.publish("c", "a", [&](PublishResult r) { got.push_back(r); });
  rig.run();
  std::string in;
  pubsub::encode_ack(in, rig.records()[0].ref, "id-1");
  rig.backend.on_frame(in);
  std::this_thread::sleep_for(40ms);
  rig.fire_timers();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, PublishStatus::published);
  EXPECT_EQ(rig.backend.timeouts(), 0u);
}

// One timer at a time: it fires for the oldest publish, then is armed again
// for the ones still waiting, which fail in their turn.
TEST(RelayBackend, TheTimerFollowsThePublishesStillWaiting) {
  Rig rig(100ms);
  std::vector<std::string> failed;
  auto note = [&](std::string name) {
    return [&, name](PublishResult r) {
      if (r.status == PublishStatus::unavailable) failed.push_back(name);
    };
  };
  rig.backend.publish("c", "a", note("a"));
  rig.run();
  std::this_thread::sleep_for(60ms);
  rig.backend.publish("c", "b", note("b"));
  rig.run();
  EXPECT_EQ(rig.timers.size(), 1u);  // not one per publish
  std::this_thread::sleep_for(50ms);
  rig.fire_timers();
  ASSERT_GE(failed.size(), 1u);
  EXPECT_EQ(failed[0], "a");
  for (int i = 0; i < 50 && failed.size() < 2; ++i) {
    ASSERT_EQ(rig.timers.size(), 1u) << "b waits with no timer armed";
    std::this_thread::sleep_for(rig.delays.back() + 5ms);
    rig.fire_timers();
  }
  EXPECT_EQ(failed, (std::vector<std::string>{"a", "b"}));
}

std::string local_id(std::uint64_t seq) {
  return pubsub::format_local_id({0xabcd, seq});
}

std::size_t resync_requests_sent(Rig& rig) {
  std::size_t n = 0;
  for (const auto& r : rig.records())
    n += r.kind == pubsub::RecordKind::resync_request;
  return n;
}

// After its first resync a worker knows which id comes next; a jump means
// frames were lost, and it asks the master to resync it.
TEST(RelayBackend, AGapInTheIdsAsksTheMasterForAResync) {
  Rig rig;
  std::string in;
  std::vector<pubsub::ResyncEntry> entries{{"", "one"}, {"", "two"}};
  std::string id1 = local_id(1), id2 = local_id(2);
  entries[0].id = id1;
  entries[1].id = id2;
  pubsub::encode_resync(in, "c", std::span<const pubsub::ResyncEntry>(entries));
  pubsub::encode_message(in, "c", local_id(3), "three");
  pubsub::encode_message(in, "c", local_id(2), "two");  // overtaken: no gap
  rig.backend.on_frame(in);
  rig.run();
  EXPECT_EQ(resync_requests_sent(rig), 0u);
  in.clear();
  pubsub::encode_message(in, "c", local_id(5), "five");  // 4 is lost
  pubsub::encode_message(in, "c", local_id(6), "six");
  rig.backend.on_frame(in);
  rig.run();
  EXPECT_EQ(resync_requests_sent(rig), 1u);
  EXPECT_EQ(rig.backend.resync_requests(), 1u);
  EXPECT_EQ(rig.hub.last_id("c"), local_id(6));
}

// With no history at the master, the first message sets where the
// sequence stands; ids of another form (not the local relay's) are never
// taken for gaps.
TEST(RelayBackend, TheFirstMessageStartsTheSequenceAndForeignIdsAreNoGap) {
  Rig rig;
  std::string in;
  pubsub::encode_message(in, "c", local_id(41), "a");
  pubsub::encode_message(in, "c", local_id(42), "b");
  pubsub::encode_message(in, "c", "1700000000000-0", "redis-like");
  pubsub::encode_message(in, "c", local_id(43), "c");
  rig.backend.on_frame(in);
  rig.run();
  EXPECT_EQ(resync_requests_sent(rig), 0u);
}

// A cursor this worker cannot place yet: before the first resync any local
// id, after it one newer than the newest received. A long-poll waits for
// such a cursor instead of answering the whole history again.
TEST(RelayBackend, ACursorFromTheFutureIsAhead) {
  Rig rig;
  EXPECT_TRUE(rig.backend.ahead("c", local_id(7)));  // nothing synced yet
  EXPECT_FALSE(rig.backend.ahead("c", "made-up"));
  std::string in;
  std::string id = local_id(7);
  std::vector<pubsub::ResyncEntry> entries{{id, "seven"}};
  pubsub::encode_resync(in, "c", std::span<const pubsub::ResyncEntry>(entries));
  rig.backend.on_frame(in);
  EXPECT_FALSE(rig.backend.ahead("c", local_id(7)));
  EXPECT_FALSE(rig.backend.ahead("c", local_id(3)));
  EXPECT_TRUE(rig.backend.ahead("c", local_id(8)));
  EXPECT_FALSE(rig.backend.ahead("c", pubsub::format_local_id({0x1234, 8})));
  in.clear();
  pubsub::encode_message(in, "other", local_id(8), "eight");
  rig.backend.on_frame(in);
  EXPECT_FALSE(rig.backend.ahead("c", local_id(8)));
}

TEST(RelayBackend, ABadFrameAsksTheMasterForAResync) {
  Rig rig;
  rig.backend.on_frame("\x09garbage");
  rig.run();
  EXPECT_EQ(resync_requests_sent(rig), 1u);
  // Not once the channel is gone: there is no one to ask.
  rig.backend.on_channel_gone();
  rig.backend.on_frame("\x09garbage");
  rig.run();
  EXPECT_EQ(rig.backend.resync_requests(), 1u);
}

}  // namespace
}  // namespace gale
