// RelayBackend: publish records out, message/resync/ack records in
// (relay_backend.hpp has the contract).
#include "worker/relay_backend.hpp"

#include <memory>
#include <utility>

#include "server/core/log.hpp"
#include "server/pubsub/local_backend.hpp"
#include "server/pubsub/relay_codec.hpp"

namespace gale {

using pubsub::PublishResult;
using pubsub::PublishStatus;

RelayBackend::RelayBackend(pubsub::Hub& hub, SendFrame send, Defer defer)
    : hub_(hub), send_(std::move(send)), defer_(std::move(defer)) {}

RelayBackend::~RelayBackend() {
  *alive_ = false;
}

void RelayBackend::publish(std::string channel, std::string body,
                           pubsub::PublishCompletion done) {
  if (!pubsub::valid_publish(channel, body))
    return fail_later(std::move(done), PublishStatus::invalid);
  if (gone_) return fail_later(std::move(done), PublishStatus::unavailable);
  std::uint64_t ref = next_ref_++;
  pubsub::encode_publish(batch_, ref, channel, body);
  waiting_.emplace(ref, std::move(done));
  if (flush_posted_) return;
  // One flush per loop turn: a burst of publishes shares frames.
  flush_posted_ = true;
  defer_([this, alive = alive_] {
    if (*alive) flush();
  });
}

void RelayBackend::flush() {
  flush_posted_ = false;
  if (gone_ || batch_.empty()) return;
  std::vector<std::string> frames;
  pubsub::split_frames(batch_, pubsub::kMaxRelayPayload, frames);
  batch_.clear();
  for (std::string& f : frames)
    send_(std::move(f));
}

void RelayBackend::fail_later(pubsub::PublishCompletion done,
                              PublishStatus why) {
  defer_([done = std::move(done), why] { done(PublishResult{why, {}}); });
}

void RelayBackend::on_frame(std::string_view payload) {
  std::vector<pubsub::RelayRecord> records;
  if (auto e = reassembler_.feed(payload, records);
      e != pubsub::RelayError::none && !warned_input_) {
    // Records were lost; the next resync from the master repairs the hub.
    log::warning("relay: a bad frame from the master: ", pubsub::describe(e));
    warned_input_ = true;
  }
  for (const pubsub::RelayRecord& r : records) {
    switch (r.kind) {
      case pubsub::RecordKind::message:
        hub_.deliver(pubsub::Message{std::string(r.channel), std::string(r.id),
                                     std::string(r.body)});
        break;
      case pubsub::RecordKind::resync: {
        std::vector<pubsub::Message> history;
        history.reserve(r.entries.size());
        for (const pubsub::ResyncEntry& e : r.entries)
          history.push_back({{}, std::string(e.id), std::string(e.body)});
        hub_.resync(r.channel, std::move(history));
        break;
      }
      case pubsub::RecordKind::ack: {
        auto it = waiting_.find(r.ref);
        if (it == waiting_.end()) break;
        pubsub::PublishCompletion done = std::move(it->second);
        waiting_.erase(it);
        if (r.id.empty())
          done(PublishResult{PublishStatus::unavailable, {}});
        else
          done(PublishResult{PublishStatus::published, std::string(r.id)});
        break;
      }
      default:
        break;  // publish and fragments never come this way
    }
  }
}

void RelayBackend::on_channel_gone() {
  if (gone_) return;
  gone_ = true;
  batch_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [ref, done] : waiting)
    fail_later(std::move(done), PublishStatus::unavailable);
}

}  // namespace gale
