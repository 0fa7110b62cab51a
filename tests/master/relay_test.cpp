// master/relay without processes: each "worker" is the far end of a real
// SOCK_SEQPACKET socketpair, read with the worker's own decoding.
#include "master/relay.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "server/pubsub/relay_codec.hpp"
#include "server/pubsub/relay_frames.hpp"
#include "worker/control_protocol.hpp"

namespace gale {
namespace {

using pubsub::RecordKind;

// One worker's end: applies what arrives to its own hub, as the worker's
// RelayBackend does, and notes kinds and acks in arrival order.
struct WorkerEnd {
  explicit WorkerEnd(std::size_t history = 1000) : hub(history) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
    master = sv[0];
    fd = sv[1];
  }
  ~WorkerEnd() {
    ::close(master);
    ::close(fd);
  }

  void publish(Relay& relay, std::uint64_t ref, const std::string& channel,
               const std::string& body) {
    std::string batch;
    pubsub::encode_publish(batch, ref, channel, body);
    std::vector<std::string> frames;
    pubsub::split_frames(batch, pubsub::kMaxRelayPayload, frames);
    for (const auto& f : frames)
      relay.on_frame(master, f);
  }

  // Reads every waiting frame; returns how many.
  int pump() {
    int n = 0;
    for (ControlMessage m; receive_control(fd, m) == IoResult::ok; ++n) {
      EXPECT_EQ(m.type, ControlType::relay);
      std::vector<pubsub::RelayRecord> records;
      EXPECT_EQ(joiner.feed(m.payload, records), pubsub::RelayError::none);
      for (const auto& r : records)
        apply(r);
    }
    return n;
  }

  void apply(const pubsub::RelayRecord& r) {
    kinds.push_back(r.kind);
    if (r.kind == RecordKind::message)
      hub.deliver(pubsub::Message{std::string(r.channel), std::string(r.id),
                                  std::string(r.body)});
    if (r.kind == RecordKind::ack) acks.emplace_back(r.ref, std::string(r.id));
    if (r.kind == RecordKind::resync) {
      std::vector<pubsub::Message> history;
      for (const auto& e : r.entries)
        history.push_back({{}, std::string(e.id), std::string(e.body)});
      hub.resync(r.channel, std::move(history));
    }
  }

  std::vector<std::string> lines(const std::string& channel) const {
    std::vector<std::string> out;
    for (const auto& m : hub.after(channel, ""))
      out.push_back(m->id + " " + m->body);
    return out;
  }

  int master = -1;
  int fd = -1;
  pubsub::Hub hub;
  pubsub::RelayReassembler joiner;
  std::vector<RecordKind> kinds;
  std::vector<std::pair<std::uint64_t, std::string>> acks;
};

std::vector<std::string> lines_of(const Relay& relay,
                                  const std::string& channel) {
  std::vector<std::string> out;
  for (const auto& m : relay.hub().after(channel, ""))
    out.push_back(m->id + " " + m->body);
  return out;
}

TEST(Relay, PublishReachesEveryReadyWorkerAndAcksThePublisher) {
  Relay relay(100);
  WorkerEnd a, b;
  relay.on_ready(a.master);
  relay.on_ready(b.master);
  a.publish(relay, 7, "room", "hi");
  relay.flush();
  a.pump();
  b.pump();
  EXPECT_EQ(a.kinds, (std::vector{RecordKind::message, RecordKind::ack}));
  EXPECT_EQ(b.kinds, (std::vector{RecordKind::message}));
  ASSERT_EQ(a.acks.size(), 1u);
  EXPECT_EQ(a.acks[0].first, 7u);
  EXPECT_EQ(a.lines("room"), (std::vector{a.acks[0].second + " hi"}));
  EXPECT_EQ(b.lines("room"), a.lines("room"));
}

TEST(Relay, IdsAreUniqueAndInPublishOrder) {
  Relay relay(100);
  WorkerEnd a;
  relay.on_ready(a.master);
  for (std::uint64_t i = 1; i <= 50; ++i)
    a.publish(relay, i, "c", std::to_string(i));
  relay.flush();
  a.pump();
  ASSERT_EQ(a.acks.size(), 50u);
  for (std::size_t i = 1; i < a.acks.size(); ++i)
    EXPECT_LT(a.acks[i - 1].second, a.acks[i].second);
  EXPECT_EQ(a.lines("c"), lines_of(relay, "c"));
}

TEST(Relay, OneRoundIsBatchedIntoFewFrames) {
  Relay relay(1000);
  WorkerEnd a, b;
  relay.on_ready(a.master);
  relay.on_ready(b.master);
  for (std::uint64_t i = 1; i <= 500; ++i)
    a.publish(relay, i, "c", "message " + std::to_string(i));
  relay.flush();
  EXPECT_LE(b.pump(), 1);  // 500 small messages share one frame
  EXPECT_LE(a.pump(), 2);  // the messages, then the acks
  EXPECT_EQ(b.lines("c").size(), 500u);
  EXPECT_EQ(a.acks.size(), 500u);
}

TEST(Relay, AWorkerThatBecomesReadyGetsTheHistoryFirst) {
  Relay relay(3);
  WorkerEnd a;
  relay.on_ready(a.master);
  for (std::uint64_t i = 1; i <= 5; ++i)
    a.publish(relay, i, i % 2 ? "odd" : "even", std::to_string(i));
  relay.flush();
  WorkerEnd late;
  late.publish(relay, 1, "odd", "before ready");  // acked, not sent it
  relay.flush();
  late.pump();
  EXPECT_EQ(late.kinds, (std::vector{RecordKind::ack}));
  relay.on_ready(late.master);
  late.pump();
  EXPECT_EQ(late.lines("odd"), lines_of(relay, "odd"));
  EXPECT_EQ(late.lines("odd").size(), 3u);  // the bound
  EXPECT_EQ(late.lines("even"), lines_of(relay, "even"));
}

TEST(Relay, BigMessagesCrossAsFragments) {
  Relay relay(10);
  WorkerEnd a, b;
  relay.on_ready(a.master);
  relay.on_ready(b.master);
  std::string big(300 * 1024, 'x');
  a.publish(relay, 1, "c", big);
  relay.flush();
  // More frames than the socket holds at once: pump and retry.
  for (int i = 0; i < 100 && (relay.wants_write(a.master) ||
                              relay.wants_write(b.master) || i == 0);
       ++i) {
    a.pump();
    b.pump();
    relay.on_writable(a.master);
    relay.on_writable(b.master);
  }
  a.pump();
  b.pump();
  ASSERT_EQ(b.lines("c").size(), 1u);
  EXPECT_EQ(b.hub.after("c", "")[0]->body, big);
  EXPECT_EQ(a.acks.size(), 1u);
}

TEST(Relay, ASlowWorkerIsDroppedThenResyncedWithoutStallingOthers) {
  Relay relay(50, 64 * 1024);
  WorkerEnd fast(50), slow(50);
  relay.on_ready(fast.master);
  relay.on_ready(slow.master);
  std::string body(1000, 'b');
  for (std::uint64_t i = 1; i <= 2000; ++i) {
    fast.publish(relay, i, "c", body + std::to_string(i));
    relay.flush();
    fast.pump();  // the fast one keeps reading; the slow one never does
  }
  EXPECT_GE(relay.overflows(), 1u);
  EXPECT_EQ(fast.acks.size(), 2000u);
  EXPECT_LE(relay.queued_bytes(slow.master), 64 * 1024 + 50 * 1100u);
  // The slow worker reads at last: its hub ends equal to the master's.
  for (int i = 0;
       i < 1000 && (slow.pump() > 0 || relay.wants_write(slow.master)); ++i)
    relay.on_writable(slow.master);
  // Compared whole, not printed: the bodies are long.
  EXPECT_TRUE(slow.lines("c") == lines_of(relay, "c"));
  EXPECT_TRUE(fast.lines("c") == lines_of(relay, "c"));
}

TEST(Relay, AcksSurviveAnOverflow) {
  Relay relay(10, 16 * 1024);
  WorkerEnd slow(10);
  relay.on_ready(slow.master);
  std::string body(2000, 'b');
  for (std::uint64_t i = 1; i <= 500; ++i) {
    slow.publish(relay, i, "c", body);
    relay.flush();
  }
  ASSERT_GE(relay.overflows(), 1u);
  for (int i = 0;
       i < 1000 && (slow.pump() > 0 || relay.wants_write(slow.master)); ++i)
    relay.on_writable(slow.master);
  EXPECT_EQ(slow.acks.size(), 500u);
  EXPECT_TRUE(slow.lines("c") == lines_of(relay, "c"));
}

// A worker that saw a gap asks for a resync: it gets every channel's
// history, its held acks after it, then live messages again.
TEST(Relay, AResyncRequestIsAnsweredWithTheHistoryThenLiveMessages) {
  Relay relay(10);
  WorkerEnd a, b;
  relay.on_ready(a.master);
  relay.on_ready(b.master);
  a.publish(relay, 1, "x", "one");
  a.publish(relay, 2, "y", "two");
  relay.flush();
  a.pump();
  b.pump();
  b.hub.resync("x", {});  // b "lost" what it had
  b.kinds.clear();
  std::string request;
  pubsub::encode_resync_request(request);
  relay.on_frame(b.master, request);
  relay.on_frame(b.master, request);  // asked twice: answered once
  b.publish(relay, 9, "x", "three");
  relay.flush();
  b.pump();
  EXPECT_EQ(relay.resync_requests(), 1u);
  EXPECT_EQ(b.kinds, (std::vector{RecordKind::resync, RecordKind::resync,
                                  RecordKind::ack}));
  EXPECT_EQ(b.lines("x"), lines_of(relay, "x"));
  EXPECT_EQ(b.lines("y"), lines_of(relay, "y"));
  a.publish(relay, 3, "x", "four");
  relay.flush();
  b.pump();
  EXPECT_EQ(b.kinds.back(), RecordKind::message);
  EXPECT_EQ(b.lines("x"), lines_of(relay, "x"));
}

TEST(Relay, AResyncRequestBeforeReadyWaitsForTheReadyResync) {
  Relay relay(10);
  WorkerEnd a;
  std::string request;
  pubsub::encode_resync_request(request);
  relay.on_frame(a.master, request);
  relay.flush();
  EXPECT_EQ(a.pump(), 0);
  EXPECT_EQ(relay.resync_requests(), 0u);
}

TEST(Relay, AForgottenWorkerGetsNothingMore) {
  Relay relay(10);
  WorkerEnd a, b;
  relay.on_ready(a.master);
  relay.on_ready(b.master);
  relay.forget(b.master);
  a.publish(relay, 1, "c", "x");
  relay.flush();
  EXPECT_EQ(b.pump(), 0);
  EXPECT_EQ(a.pump(), 2);  // the message's frame, then the ack's
}

}  // namespace
}  // namespace gale
