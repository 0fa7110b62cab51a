// A test Backend: the master relay, played in memory through the real wire
// format, with knobs for the failures a network backend has.
//
// FakeRelay is the master: it keeps the global history in a Hub, numbers
// messages with an IdGenerator, and talks to each FakeWorker only in relay
// frames (relay_codec.hpp, relay_frames.hpp), cut at a small frame size so
// that fragments are exercised too. Nothing moves until run(), the stand-in
// for the event loop, so a completion is never called inside publish().
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/pubsub/backend.hpp"
#include "server/pubsub/hub.hpp"
#include "server/pubsub/id.hpp"
#include "server/pubsub/relay_codec.hpp"
#include "server/pubsub/relay_frames.hpp"

namespace gale::pubsub::fakes {

class FakeRelay;

class FakeWorker final : public Backend {
 public:
  FakeWorker(FakeRelay& relay, Hub& hub) : relay_(relay), hub_(hub) {}

  void publish(std::string channel, std::string body,
               PublishCompletion done) override;

  Hub& hub() { return hub_; }
  std::size_t pending() const { return pending_.size(); }

 private:
  friend class FakeRelay;
  void receive(std::string_view frame);
  void apply(const RelayRecord& r);

  FakeRelay& relay_;
  Hub& hub_;
  RelayReassembler joiner_;
  std::uint64_t next_ref_ = 1;
  std::map<std::uint64_t, PublishCompletion> pending_;  // by ref
  bool held_ = false;  // frames to it are dropped, as by a full queue
};

class FakeRelay {
 public:
  // Frames are cut at `max_payload` bytes: small by default, to fragment.
  explicit FakeRelay(std::size_t history = Hub::kDefaultHistory,
                     std::size_t max_payload = 64)
      : ids_(0xfeed), history_(history), max_payload_(max_payload) {}

  // A worker that starts: it is sent every channel's history at once.
  FakeWorker& add_worker(Hub& hub) {
    workers_.push_back(std::make_unique<FakeWorker>(*this, hub));
    send_snapshot(*workers_.back());
    return *workers_.back();
  }

  // Runs every queued frame and deferred completion until nothing moves.
  void run() {
    while (!to_master_.empty() || !later_.empty()) {
      while (!to_master_.empty()) {
        auto [from, frame] = std::move(to_master_.front());
        to_master_.pop_front();
        on_frame(*from, frame);
      }
      while (!later_.empty()) {
        auto call = std::move(later_.front());
        later_.pop_front();
        call();
      }
    }
  }

  // The master is unreachable: publishes fail as unavailable, and nothing
  // already sent is answered.
  void go_down() {
    down_ = true;
    to_master_.clear();
    for (auto& w : workers_)
      fail_pending(*w);
  }

  // Frames to `w` are lost until resync(w), like a worker whose queue at
  // the master overflowed.
  void hold(FakeWorker& w) { w.held_ = true; }
  void resync(FakeWorker& w) {
    w.held_ = false;
    send_snapshot(w);
  }

  bool down() const { return down_; }
  void defer(std::function<void()> call) { later_.push_back(std::move(call)); }
  void to_master(FakeWorker& from, std::string frame) {
    to_master_.emplace_back(&from, std::move(frame));
  }
  std::size_t max_payload() const { return max_payload_; }
  const Hub& history() const { return history_; }

 private:
  void on_frame(FakeWorker& from, std::string_view frame) {
    std::vector<RelayRecord> records;
    ASSERT_EQ(joiners_[&from].feed(frame, records), RelayError::none);
    std::string broadcast, ack;
    for (const RelayRecord& r : records) {
      ASSERT_EQ(r.kind, RecordKind::publish);
      std::string id = ids_.next();
      history_.deliver(
          Message{std::string(r.channel), id, std::string(r.body)});
      encode_message(broadcast, r.channel, id, r.body);
      encode_ack(ack, r.ref, id);
    }
    for (auto& w : workers_)
      send(*w, w.get() == &from ? broadcast + ack : broadcast);
  }

  void send_snapshot(FakeWorker& w) {
    std::string batch;
    for (const ChannelHistory& ch : history_.snapshot())
      encode_resync(batch, ch.channel,
                    std::span<const MessagePtr>(ch.messages));
    send(w, batch);
  }

  void send(FakeWorker& w, std::string_view batch) {
    if (w.held_) return;
    std::vector<std::string> frames;
    ASSERT_EQ(split_frames(batch, max_payload_, frames), RelayError::none);
    for (const std::string& f : frames)
      w.receive(f);
  }

  void fail_pending(FakeWorker& w) {
    for (auto& [ref, done] : std::exchange(w.pending_, {}))
      defer([done = std::move(done)] {
        done({PublishStatus::unavailable, {}});
      });
  }

  IdGenerator ids_;
  Hub history_;
  std::size_t max_payload_;
  bool down_ = false;
  std::vector<std::unique_ptr<FakeWorker>> workers_;
  std::map<FakeWorker*, RelayReassembler> joiners_;
  std::deque<std::pair<FakeWorker*, std::string>> to_master_;
  std::deque<std::function<void()>> later_;
};

inline void FakeWorker::publish(std::string channel, std::string body,
                                PublishCompletion done) {
  if (relay_.down()) {
    relay_.defer([done = std::move(done)] {
      done({PublishStatus::unavailable, {}});
    });
    return;
  }
  std::uint64_t ref = next_ref_++;
  std::string batch;
  if (encode_publish(batch, ref, channel, body) != RelayError::none) {
    relay_.defer([done = std::move(done)] {
      done({PublishStatus::invalid, {}});
    });
    return;
  }
  pending_.emplace(ref, std::move(done));
  std::vector<std::string> frames;
  split_frames(batch, relay_.max_payload(), frames);
  for (std::string& f : frames)
    relay_.to_master(*this, std::move(f));
}

inline void FakeWorker::receive(std::string_view frame) {
  std::vector<RelayRecord> records;
  ASSERT_EQ(joiner_.feed(frame, records), RelayError::none);
  for (const RelayRecord& r : records)
    apply(r);
}

inline void FakeWorker::apply(const RelayRecord& r) {
  switch (r.kind) {
    case RecordKind::message:
      hub_.deliver(Message{std::string(r.channel), std::string(r.id),
                           std::string(r.body)});
      break;
    case RecordKind::resync: {
      std::vector<Message> history;
      for (const ResyncEntry& e : r.entries)
        history.push_back(
            {std::string(r.channel), std::string(e.id), std::string(e.body)});
      hub_.resync(r.channel, std::move(history));
      break;
    }
    case RecordKind::ack: {
      auto it = pending_.find(r.ref);
      ASSERT_NE(it, pending_.end());
      PublishCompletion done = std::move(it->second);
      pending_.erase(it);
      PublishStatus s =
          r.id.empty() ? PublishStatus::unavailable : PublishStatus::published;
      relay_.defer([done = std::move(done), s, id = std::string(r.id)] {
        done({s, id});
      });
      break;
    }
    default:
      FAIL() << "unexpected record kind " << static_cast<int>(r.kind);
  }
}

}  // namespace gale::pubsub::fakes
